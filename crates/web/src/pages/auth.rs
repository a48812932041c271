//! Signing in and out (the rate limit lives in [`crate::sign_in`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use commonground_domain::EmailAddress;
use serde::Deserialize;

use super::{Chrome, ok, render, see_other};
use crate::cookies;
use crate::error::AppResult;
use crate::extractors::{ClientAddress, Form, Session};
use crate::forms::{FormErrors, safe_next};
use crate::sign_in::{Refusal, check_credentials};
use crate::state::AppState;

/// The sign-in form.
#[derive(Template)]
#[template(path = "pages/sign_in.html")]
pub struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    next: String,
}

/// Where to go after signing in.
#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `GET /sign-in`
pub async fn show_sign_in(session: Session, Query(query): Query<NextQuery>) -> Response {
    let next = safe_next(&query.next).unwrap_or_default();
    if session.user.is_some() {
        return see_other(if next.is_empty() { "/" } else { &next });
    }
    let errors = FormErrors::new();
    ok(SignInPage {
        chrome: Chrome::with_errors(&session, "Sign in", &errors),
        errors,
        email: String::new(),
        next,
    })
}

/// `POST /sign-in`
pub async fn create_sign_in(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(client): ClientAddress,
    form: Form,
) -> AppResult<Response> {
    let next = safe_next(form.get("next")).unwrap_or_else(|| "/".to_owned());
    let mut errors = FormErrors::new();
    let email = errors.check("email", EmailAddress::parse(form.get("email")));
    let password = form.get("password");
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let refuse = |errors: FormErrors, status: StatusCode| {
        render(
            status,
            SignInPage {
                chrome: Chrome::with_errors(&session, "Sign in", &errors),
                errors,
                email: form.get("email").to_owned(),
                next: next.clone(),
            },
        )
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(refuse(errors, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let user = match check_credentials(&state, &email, password, &client).await? {
        Ok(user) => user,
        Err(refusal) => {
            let status = match refusal {
                Refusal::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
                Refusal::WrongCredentials => StatusCode::UNAUTHORIZED,
            };
            errors.add("email", refusal.message());
            return Ok(refuse(errors, status));
        }
    };
    // A new session id at every sign-in, so a token planted before sign-in is worthless.
    if let Some(old) = &session.token {
        state.store.delete_session(old).await?;
    }
    let token = state.store.create_session(&user).await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(signed_in_redirect(&state, &token, &next))
}

/// A redirect to `to` that sets the session cookie.
pub fn signed_in_redirect(state: &AppState, token: &str, to: &str) -> Response {
    let mut response = see_other(to);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::SESSION,
            token,
            Some(commonground_store::sessions::SESSION_SECONDS),
            state.config.secure_cookies,
        ),
    );
    response
}

/// `POST /sign-out`
pub async fn delete_sign_in(
    State(state): State<AppState>,
    session: Session,
    _form: Form,
) -> AppResult<Response> {
    if let Some(token) = &session.token {
        state.store.delete_session(token).await?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, state.config.secure_cookies),
    );
    Ok(response.into_response())
}
