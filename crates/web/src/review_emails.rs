//! A review's editable emails, shared by the pages and the API: the wording in use, checking
//! an edit, and previewing it for a real participant.

use commonground_domain::email_template::{EmailKind, EmailTemplate, TemplateError};
use commonground_domain::{OrganisationId, ParticipantId, ReviewId};
use commonground_jobs::render;
use commonground_store::participants::Participant;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A filled-in email as a preview shows it.
pub struct Preview {
    /// Who it is for.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part's content (escaped, our own markup).
    pub html_body: String,
}

/// The wording a review uses for `kind`, and whether it is its own.
pub async fn template_in_use(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    kind: EmailKind,
) -> AppResult<(EmailTemplate, bool)> {
    let own = state.store.email_template(org, review, kind).await?;
    let custom = own.is_some();
    Ok((render::template_or_default(own, kind), custom))
}

/// Reads `{kind}` from a URL; an unknown kind is a page that does not exist.
pub fn kind_from_path(text: &str) -> AppResult<EmailKind> {
    EmailKind::parse(text).ok_or(AppError::NotFound)
}

/// `template` filled in for `person` (or for the first participant, or a made-up one), with a
/// link that looks real but is not, so a preview never lets anyone answer as someone else.
pub async fn preview(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    template: &EmailTemplate,
    person: Option<&Participant>,
) -> AppResult<Result<Preview, Vec<TemplateError>>> {
    let context = state
        .store
        .mailing_context(org, review)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, to) = person.map_or_else(
        || ("Alex Example".to_owned(), "alex.example@nhs.net".to_owned()),
        |p| (p.name.clone(), p.email.clone()),
    );
    let values = render::values(
        &context,
        &name,
        &render::preview_link(&state.config.public_base_url),
    );
    Ok(template
        .render(&values)
        .map(|r| Preview {
            to,
            subject: r.subject,
            text: r.text,
            html_body: r.html_body,
        })
        .map_err(|e| vec![e]))
}

/// The participant a preview is for: the one asked for, if in the review, else the first.
#[must_use]
pub fn preview_person(
    people: &[Participant],
    asked: Option<ParticipantId>,
) -> Option<&Participant> {
    asked
        .and_then(|id| people.iter().find(|p| p.id == id))
        .or_else(|| people.first())
}
