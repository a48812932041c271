//! The team session in the path (`.../sessions/{session}`) and a captured note in it.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use commonground_domain::CaptureItemId;

use super::organisation::path_id;
use crate::error::AppError;
use crate::state::AppState;

/// Which of a review's two sessions the path names: 1 or 2; anything else is not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionNumber(pub u8);

impl FromRequestParts<AppState> for SessionNumber {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match params.iter().find(|(k, _)| *k == "session") {
            Some((_, "1")) => Ok(Self(1)),
            Some((_, "2")) => Ok(Self(2)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// The captured note in the path (`{item_id}`); whether it belongs to the session is the
/// store's to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteInPath(pub CaptureItemId);

impl FromRequestParts<AppState> for NoteInPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Self(CaptureItemId(path_id(parts, state, "item_id").await?)))
    }
}
