//! Accepting an invitation to join an organisation, with a new or an existing account.

use axum::extract::{Path, State};
use axum::response::Response;
use commonground_domain::{EmailAddress, PersonName};
use commonground_store::invitations::{INVITATION_UNUSABLE, Invitation};

use super::auth::signed_in_redirect;
use super::password_reset::{ChoosePasswordPage, check_new_password};
use super::{Chrome, invalid, ok};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, Session};
use crate::forms::FormErrors;
use crate::passwords;
use crate::state::AppState;

async fn pending(state: &AppState, token: &str) -> AppResult<(Invitation, bool)> {
    let invitation = state.store.find_invitation(token).await?.ok_or_else(|| {
        AppError::Gone(
            "This invitation link is not valid. Check you copied the whole link from the email."
                .into(),
        )
    })?;
    if !invitation.is_pending() {
        return Err(AppError::Gone(format!(
            "{} Ask your organisation admin to invite you again.",
            crate::error::sentence(INVITATION_UNUSABLE)
        )));
    }
    let email = EmailAddress::parse(&invitation.email).map_err(|_| AppError::NotFound)?;
    let has_account = state.store.find_user_by_email(&email).await?.is_some();
    Ok((invitation, has_account))
}

fn accept_page(
    session: &Session,
    token: &str,
    invitation: &Invitation,
    has_account: bool,
    name: &str,
    errors: FormErrors,
) -> ChoosePasswordPage {
    let roles: Vec<&str> = invitation.roles.roles().iter().map(|r| r.label()).collect();
    let mut intro = vec![format!(
        "You have been invited to join {} as {}.",
        invitation.organisation_name,
        roles.join(" and ").to_lowercase()
    )];
    intro.push(if has_account {
        format!(
            "You already have an account as {}. Enter its password to accept.",
            invitation.email
        )
    } else {
        format!(
            "Create your account. You will sign in with {}.",
            invitation.email
        )
    });
    ChoosePasswordPage {
        chrome: Chrome::with_errors(session, "Accept your invitation", &errors),
        errors,
        caption: Some(invitation.organisation_name.clone()),
        intro,
        action: format!("/invitations/{token}"),
        ask_name: !has_account,
        name: name.to_owned(),
        existing_account: has_account,
        button: if has_account {
            "Accept and sign in"
        } else {
            "Create account"
        },
    }
}

/// `GET /invitations/{token}`
pub async fn show_invitation(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (invitation, has_account) = pending(&state, &token).await?;
    Ok(ok(accept_page(
        &session,
        &token,
        &invitation,
        has_account,
        "",
        FormErrors::new(),
    )))
}

/// `POST /invitations/{token}`
pub async fn accept_invitation(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    form: Form,
) -> AppResult<Response> {
    let (invitation, has_account) = pending(&state, &token).await?;
    let mut errors = FormErrors::new();
    let user = if has_account {
        let email = EmailAddress::parse(&invitation.email).map_err(|_| AppError::NotFound)?;
        let credentials = state.store.find_credentials(&email).await?;
        let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
        let verified = passwords::verify(form.get("password").to_owned(), stored).await;
        if let Some(c) = credentials.filter(|_| verified) {
            state.store.accept_invitation_as(&token, c.user.id).await?;
            c.user
        } else {
            {
                errors.add("password", "Enter the correct password for your account");
                return Ok(invalid(accept_page(
                    &session,
                    &token,
                    &invitation,
                    true,
                    "",
                    errors,
                )));
            }
        }
    } else {
        let name = errors.check("name", PersonName::parse(form.get("name")));
        let password = check_new_password(&form, &mut errors);
        let (Some(name), Some(password)) = (name, password) else {
            return Ok(invalid(accept_page(
                &session,
                &token,
                &invitation,
                false,
                form.get("name"),
                errors,
            )));
        };
        let hash = passwords::hash(password.expose().to_owned()).await?;
        state
            .store
            .accept_invitation_with_new_account(&token, &name, &hash)
            .await?
    };
    if let Some(old) = &session.token {
        state.store.delete_session(old).await?;
    }
    let session_token = state.store.create_session(&user).await?;
    tracing::info!(user_id = %user.id, organisation_id = %invitation.organisation_id, "invitation accepted");
    Ok(signed_in_redirect(
        &state,
        &session_token,
        &format!("/organisations/{}", invitation.organisation_id),
    ))
}
