//! A review's emails filled in for one participant: the champions' wording (or ours), in the
//! NHS email layout.

use askama::Template;
use commonground_domain::dates::long_date;
use commonground_domain::email_template::{EmailKind, EmailTemplate, TemplateError, Values};
use commonground_domain::{OrganisationId, ReviewId};
use commonground_store::mailings::MailingContext;
use commonground_store::outbox::OutgoingEmail;
use commonground_store::participants::Participant;

#[derive(Template)]
#[template(path = "emails/review.html")]
struct ReviewHtml<'a> {
    subject: &'a str,
    body: &'a str,
}

/// The values of a review's emails for one person.
#[must_use]
pub fn values(context: &MailingContext, name: &str, link: &str) -> Values {
    Values {
        name: name.to_owned(),
        review: context.review.clone(),
        link: link.to_owned(),
        close_date: context
            .closes_on
            .map_or_else(|| "a date to be confirmed".to_owned(), long_date),
        champions: match context.champions.as_slice() {
            [] => format!("The review team at {}", context.organisation),
            names => names.join(" and "),
        },
    }
}

/// The link a preview shows: it looks like a personal link but is not one, so a preview never
/// lets a champion answer as someone else.
#[must_use]
pub fn preview_link(base_url: &str) -> String {
    format!("{base_url}/q/personal-link-shown-only-to-the-recipient")
}

/// A review email for `person`, ready to store.
pub fn build(
    org: OrganisationId,
    review: ReviewId,
    template: &EmailTemplate,
    values: &Values,
    person: &Participant,
) -> Result<OutgoingEmail, TemplateError> {
    let rendered = template.render(values)?;
    Ok(OutgoingEmail {
        organisation: Some(org),
        review: Some(review),
        participant: Some(person.id),
        to: person.email.clone(),
        html: wrap_html(&rendered.subject, &rendered.html_body),
        subject: rendered.subject,
        text: rendered.text,
        calendar: None,
    })
}

/// The HTML part: `body` (already escaped) in the NHS email layout.
#[must_use]
pub fn wrap_html(subject: &str, body: &str) -> String {
    ReviewHtml { subject, body }
        .render()
        .unwrap_or_else(|_| body.to_owned())
}

/// The template a review uses for `kind`: its own, or the default.
#[must_use]
pub fn template_or_default(own: Option<EmailTemplate>, kind: EmailKind) -> EmailTemplate {
    own.unwrap_or_else(|| kind.default_template())
}
