//! One error type for handlers and extractors, rendered as an NHS-style page or a problem document.
//!
//! An [`AppError`] turns into a bare response that carries an [`ErrorInfo`] extension; the
//! `errors` middleware then renders it as HTML for pages or as RFC 9457 problem+json under
//! `/api`, so that handlers and extractors need not know who is asking. Internal causes are
//! logged with the request id and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use commonground_store::StoreError;

/// What went wrong, in terms the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or thing, or not one the caller may know exists.
    #[error("not found")]
    NotFound,
    /// Not found, with what is missing and what to do (the API's own things, such as a card).
    #[error("{0}")]
    Missing(String),
    /// The caller must sign in (or send an API token).
    #[error("sign in required")]
    SignInRequired,
    /// Signed in, but this needs a role the caller does not hold.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or wrong (or the post came from another site).
    #[error("csrf")]
    Csrf,
    /// The request cannot be read; the message says why.
    #[error("{0}")]
    BadRequest(String),
    /// The request is well formed but refused; the message says why.
    #[error("{0}")]
    Conflict(String),
    /// A link that worked once no longer does.
    #[error("{0}")]
    Gone(String),
    /// The request body is over the size limit.
    #[error("too large")]
    TooLarge,
    /// Too many attempts; the message says how long to wait.
    #[error("{0}")]
    TooManyRequests(String),
    /// Field-by-field validation errors (API only: pages re-render their form).
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    /// Something failed on our side; the cause is logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;

/// What the error renderer needs, carried on the response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Page heading and problem title.
    pub title: &'static str,
    /// The explanation shown to the user.
    pub detail: String,
    /// Field errors, for API problem documents.
    pub fields: Vec<(String, String)>,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.".into(),
            ),
            AppError::Missing(m) => (StatusCode::NOT_FOUND, "Not found", m.clone()),
            AppError::SignInRequired => (
                StatusCode::UNAUTHORIZED,
                "You need to sign in",
                "Sign in to see this page.".into(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                "Your role does not allow this. Ask an organisation admin if you think you need it.".into(),
            ),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security, forms stop working after a while or when sent from another site. Go back, refresh the page and try again.".into(),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "There is a problem with the request", m.clone()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "This cannot be done", m.clone()),
            AppError::Gone(m) => (StatusCode::GONE, "This link no longer works", m.clone()),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "What you sent is too large",
                "Shorten what you entered and try again.".into(),
            ),
            AppError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts", m.clone()),
            AppError::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Some details are not valid",
                fields.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(". "),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                "Try again later. If it keeps happening, contact your organisation admin.".into(),
            ),
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![(field.to_owned(), message.into())])
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let (status, title, detail) = self.parts();
        let fields = match self {
            AppError::Invalid(fields) => fields,
            _ => Vec::new(),
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorInfo {
            title,
            detail,
            fields,
        });
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => AppError::Conflict(format!("There is already {what}.")),
            StoreError::Refused(why) => AppError::Conflict(sentence(why)),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The first letter in upper case and a full stop at the end, for store messages.
#[must_use]
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    out.push('.');
    out
}
