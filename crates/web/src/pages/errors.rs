//! The error page every failed page request shows.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::{Chrome, render};
use crate::error::ErrorInfo;

/// An error, in the NHS pattern: what happened and what to do.
#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    chrome: Chrome,
    detail: String,
    sign_in_next: Option<String>,
}

/// The rendered error page; 401s offer to sign in and come back to `next`.
pub fn error_page(status: StatusCode, info: &ErrorInfo, next: Option<&str>) -> Response {
    let page = ErrorPage {
        chrome: Chrome::bare(info.title),
        detail: info.detail.clone(),
        sign_in_next: next
            .filter(|_| status == StatusCode::UNAUTHORIZED)
            .and_then(crate::forms::safe_next),
    };
    render(status, page)
}
