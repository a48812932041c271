//! Renders every error response: an NHS-style page, or problem+json under `/api`.
//!
//! Errors reach here either as an [`AppError`] (carrying [`ErrorInfo`]) or as a bare status from
//! axum or tower (an unknown route, a wrong method, a body over the limit, unreadable JSON).
//! Both get the same treatment, so no response leaks a framework's plain-text message or a
//! stack trace.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ErrorInfo;
use crate::pages::errors::error_page;

/// Replaces bare error responses with rendered ones.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let sign_in_next =
        (request.method() == axum::http::Method::GET).then(|| request.uri().path().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let already_rendered = content_type.starts_with("text/html")
        || content_type.starts_with("application/problem+json")
        || content_type.starts_with("application/json");
    if info.is_none() && already_rendered {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let info = if let Some(info) = info {
        info
    } else {
        // A framework rejection: its text is plain and safe, and useful to API callers.
        let text = axum::body::to_bytes(body, 16 * 1024)
            .await
            .unwrap_or_default();
        generic(status, &String::from_utf8_lossy(&text))
    };
    let mut rendered = if is_api {
        problem(status, &info)
    } else {
        error_page(status, &info, sign_in_next.as_deref())
    };
    // Keep headers set by earlier layers (request id, Allow) but not the old body's type or size.
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &parts.headers {
        rendered.headers_mut().entry(name).or_insert(value.clone());
    }
    if is_api && status == StatusCode::UNAUTHORIZED {
        rendered
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    rendered
}

fn generic(status: StatusCode, framework_text: &str) -> ErrorInfo {
    let (title, detail) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Method not allowed",
            "This address does not accept that kind of request.".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "What you sent is too large",
            "Shorten what you entered and try again.".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Unsupported content type",
            "Send the request body as JSON with the header Content-Type: application/json.".to_owned(),
        ),
        s if s.is_server_error() => (
            "Sorry, there is a problem with the service",
            "Try again later.".to_owned(),
        ),
        _ => (
            "There is a problem with the request",
            if framework_text.trim().is_empty() {
                "The request could not be read.".to_owned()
            } else {
                framework_text.trim().to_owned()
            },
        ),
    };
    ErrorInfo {
        title,
        detail,
        fields: Vec::new(),
    }
}

/// An RFC 9457 problem document.
fn problem(status: StatusCode, info: &ErrorInfo) -> Response {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": info.title,
        "status": status.as_u16(),
        "detail": info.detail,
    });
    if !info.fields.is_empty() {
        body["errors"] = info
            .fields
            .iter()
            .map(|(field, message)| serde_json::json!({ "field": field, "message": message }))
            .collect();
    }
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body.to_string(),
    )
        .into_response()
}
