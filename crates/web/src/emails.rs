//! The emails the product sends, built from templates (plain text and HTML) into the outbox.

use askama::Template;
use commonground_domain::{OrganisationId, RoleSet};
use commonground_store::outbox::OutgoingEmail;

use crate::dates::long_date;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "emails/invitation.txt")]
struct InvitationText<'a> {
    inviter: &'a str,
    organisation: &'a str,
    roles: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "emails/invitation.html")]
struct InvitationHtml<'a> {
    inviter: &'a str,
    organisation: &'a str,
    roles: &'a str,
    link: &'a str,
    expires: &'a str,
}

/// An invitation to join an organisation.
pub struct Invitation<'a> {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Its name.
    pub organisation: &'a str,
    /// Who sent it.
    pub inviter: &'a str,
    /// The recipient.
    pub to: &'a str,
    /// Roles they will hold.
    pub roles: &'a RoleSet,
    /// The personal link.
    pub link: &'a str,
    /// When the link stops working (Unix seconds).
    pub expires_at: i64,
}

impl Invitation<'_> {
    /// The message to store and send.
    pub fn build(&self) -> Result<OutgoingEmail, AppError> {
        let roles = role_list(self.roles);
        let expires = long_date(self.expires_at);
        let text = InvitationText {
            inviter: self.inviter,
            organisation: self.organisation,
            roles: &roles,
            link: self.link,
            expires: &expires,
        };
        let html = InvitationHtml {
            inviter: self.inviter,
            organisation: self.organisation,
            roles: &roles,
            link: self.link,
            expires: &expires,
        };
        Ok(OutgoingEmail {
            organisation: Some(self.organisation_id),
            review: None,
            participant: None,
            to: self.to.to_owned(),
            subject: format!("Join {} on commonground", self.organisation),
            text: text.render().map_err(|e| template_error(&e))?,
            html: html.render().map_err(|e| template_error(&e))?,
            calendar: None,
        })
    }
}

#[derive(Template)]
#[template(path = "emails/password_reset.txt")]
struct ResetText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/password_reset.html")]
struct ResetHtml<'a> {
    name: &'a str,
    link: &'a str,
}

/// A password reset link.
pub fn password_reset(to: &str, name: &str, link: &str) -> Result<OutgoingEmail, AppError> {
    Ok(OutgoingEmail {
        organisation: None,
        review: None,
        participant: None,
        to: to.to_owned(),
        subject: "Reset your commonground password".to_owned(),
        text: ResetText { name, link }
            .render()
            .map_err(|e| template_error(&e))?,
        html: ResetHtml { name, link }
            .render()
            .map_err(|e| template_error(&e))?,
        calendar: None,
    })
}

/// "organisation admin and champion".
fn role_list(roles: &RoleSet) -> String {
    let names: Vec<String> = roles
        .roles()
        .iter()
        .map(|r| r.label().to_lowercase())
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn template_error(e: &askama::Error) -> AppError {
    AppError::Internal(format!("email template: {e}"))
}
