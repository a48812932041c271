//! Forgotten passwords: a one-hour, one-use link by email.
//!
//! The request page says the same thing whether or not the address has an account, so it
//! cannot be used to find out who does.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::{EmailAddress, NewPassword};
use commonground_store::NewSecret;
use commonground_store::password_resets::RESET_UNUSABLE;

use super::{Chrome, MessagePage, invalid, ok};
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, Session};
use crate::forms::FormErrors;
use crate::passwords;
use crate::state::AppState;

/// Asks for the email address.
#[derive(Template)]
#[template(path = "pages/password_reset_request.html")]
pub struct PasswordResetRequestPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
}

/// Asks for a new password (also used to accept an invitation).
#[derive(Template)]
#[template(path = "pages/choose_password.html")]
pub struct ChoosePasswordPage {
    /// Layout.
    pub chrome: Chrome,
    /// Form errors.
    pub errors: FormErrors,
    /// Small heading above the title.
    pub caption: Option<String>,
    /// Paragraphs before the form.
    pub intro: Vec<String>,
    /// Where the form posts.
    pub action: String,
    /// Ask for a full name (new accounts).
    pub ask_name: bool,
    /// The name entered so far.
    pub name: String,
    /// Ask for the existing password instead of a new one.
    pub existing_account: bool,
    /// Submit button text.
    pub button: &'static str,
}

/// Checks the new password and its confirmation, recording errors.
pub fn check_new_password(form: &Form, errors: &mut FormErrors) -> Option<NewPassword> {
    let password = errors.check("password", NewPassword::parse(form.get("password")))?;
    if form.get("confirm_password") != password.expose() {
        errors.add(
            "confirm_password",
            "Passwords do not match: enter the same password twice",
        );
        return None;
    }
    Some(password)
}

/// `GET /password-reset`
pub async fn new_password_reset(session: Session) -> Response {
    let errors = FormErrors::new();
    ok(PasswordResetRequestPage {
        chrome: Chrome::with_errors(&session, "Reset your password", &errors),
        errors,
        email: String::new(),
    })
}

/// `POST /password-reset`
pub async fn create_password_reset(
    State(state): State<AppState>,
    session: Session,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let Some(email) = errors.check("email", EmailAddress::parse(form.get("email"))) else {
        return Ok(invalid(PasswordResetRequestPage {
            chrome: Chrome::with_errors(&session, "Reset your password", &errors),
            errors,
            email: form.get("email").to_owned(),
        }));
    };
    if let Some(user) = state.store.find_user_by_email(&email).await? {
        let secret = NewSecret::generate("");
        let link = format!(
            "{}/password-reset/{}",
            state.config.public_base_url, secret.token
        );
        let message = emails::password_reset(&user.email, &user.name, &link)?;
        state
            .store
            .create_password_reset(&user, &secret.hash, &message)
            .await?;
        tracing::info!(user_id = %user.id, "password reset link sent");
    }
    Ok(ok(MessagePage {
        chrome: Chrome::new(&session, "Check your email"),
        confirmation: false,
        paragraphs: vec![
            format!(
                "If {} has a commonground account, we have sent it a link to choose a new password.",
                email.as_str()
            ),
            "The link works for one hour. If nothing arrives, check your junk folder or ask your organisation admin.".into(),
        ],
        link: Some(("/sign-in".into(), "Back to sign in".into())),
    }))
}

fn choose_page(session: &Session, token: &str, errors: FormErrors) -> ChoosePasswordPage {
    ChoosePasswordPage {
        chrome: Chrome::with_errors(session, "Choose a new password", &errors),
        errors,
        caption: None,
        intro: vec!["Choosing a new password signs you out on every device.".into()],
        action: format!("/password-reset/{token}"),
        ask_name: false,
        name: String::new(),
        existing_account: false,
        button: "Save the new password",
    }
}

/// `GET /password-reset/{token}`
pub async fn edit_password_reset(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if state.store.password_reset_user(&token).await?.is_none() {
        return Err(unusable());
    }
    Ok(ok(choose_page(&session, &token, FormErrors::new())))
}

/// `POST /password-reset/{token}`
pub async fn update_password_reset(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    form: Form,
) -> AppResult<Response> {
    if state.store.password_reset_user(&token).await?.is_none() {
        return Err(unusable());
    }
    let mut errors = FormErrors::new();
    let Some(password) = check_new_password(&form, &mut errors) else {
        return Ok(invalid(choose_page(&session, &token, errors)));
    };
    let hash = passwords::hash(password.expose().to_owned()).await?;
    let user = state.store.complete_password_reset(&token, &hash).await?;
    tracing::info!(user_id = %user.id, "password reset");
    Ok(ok(MessagePage {
        chrome: Chrome::new(&session, "Your password has been changed"),
        confirmation: true,
        paragraphs: vec![
            "You have been signed out on every device. Sign in with your new password.".into(),
        ],
        link: Some(("/sign-in".into(), "Sign in".into())),
    }))
}

fn unusable() -> AppError {
    AppError::Gone(format!(
        "{} Ask for a new link from the sign-in page.",
        crate::error::sentence(RESET_UNUSABLE)
    ))
}
