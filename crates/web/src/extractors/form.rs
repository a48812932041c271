//! Submitted page forms: read within the body limit, CSRF token checked, fields by name.
//!
//! This is the only way page handlers read a form, so none can forget the CSRF check. Fields
//! are read by name rather than deserialised into a struct, so a missing or repeated field is
//! a validation message on the page, never a bare "400 Bad Request".

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;

use crate::error::AppError;
use crate::middleware::csrf::{CsrfSeed, token_matches};
use crate::state::AppState;

/// A checked, url-encoded form.
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// The first value of `name`, or "" when absent.
    #[must_use]
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (checkbox groups).
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl FromRequest<AppState> for Form {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let form_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let seed = request
            .extensions()
            .get::<CsrfSeed>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest("The form could not be read. Try again.".into())
            }
        })?;
        if !form_type {
            return Err(AppError::BadRequest(
                "The form could not be read. Try again.".into(),
            ));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("The form could not be read. Try again.".into()))?;
        let form = Form { pairs };
        if seed.is_empty() || !token_matches(&state.csrf_key, &seed, form.get("csrf_token")) {
            return Err(AppError::Csrf);
        }
        Ok(form)
    }
}
