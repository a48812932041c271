//! A file uploaded with a page form (multipart), CSRF token first, within a size limit.
//!
//! An oversized or missing file is not an error page: the handler shows the form again with a
//! message, so the person knows what to fix.

use axum::extract::{FromRequest, Multipart, Request};

use crate::error::AppError;
use crate::middleware::csrf::{CsrfSeed, token_matches};
use crate::state::AppState;

/// The largest file accepted by an upload form.
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;

/// The body limit of upload routes: well above [`MAX_UPLOAD_BYTES`], so that a file a little
/// too large is read whole and answered with a message on the form, not a dropped connection.
pub const UPLOAD_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What was wrong with the uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadProblem {
    /// No file was chosen (or it was empty).
    Missing,
    /// Over [`MAX_UPLOAD_BYTES`].
    TooLarge,
}

impl UploadProblem {
    /// The message for the form.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            UploadProblem::Missing => "Select a CSV file",
            UploadProblem::TooLarge => "The file must be 2 MB or smaller",
        }
    }
}

/// The uploaded file's bytes, or why there are none.
pub struct Upload {
    /// The file, or the problem with it.
    pub file: Result<Vec<u8>, UploadProblem>,
}

impl FromRequest<AppState> for Upload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let seed = request
            .extensions()
            .get::<CsrfSeed>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read. Try again.".into()))?;
        // The token comes first in our forms, so it is checked before the file is read.
        let first = multipart.next_field().await.ok().flatten();
        let token = match first {
            Some(field) if field.name() == Some("csrf_token") => {
                field.text().await.unwrap_or_default()
            }
            _ => String::new(),
        };
        if seed.is_empty() || !token_matches(&state.csrf_key, &seed, &token) {
            return Err(AppError::Csrf);
        }
        let mut file = Err(UploadProblem::Missing);
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                    Ok(bytes) if bytes.is_empty() => {}
                    Ok(bytes) if bytes.len() > MAX_UPLOAD_BYTES => {
                        file = Err(UploadProblem::TooLarge);
                    }
                    Ok(bytes) => file = Ok(bytes.to_vec()),
                    Err(_) => {
                        file = Err(UploadProblem::TooLarge);
                        break;
                    }
                },
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    file = Err(UploadProblem::TooLarge);
                    break;
                }
                Err(_) => {
                    return Err(AppError::BadRequest(
                        "The form could not be read. Try again.".into(),
                    ));
                }
            }
        }
        Ok(Upload { file })
    }
}
