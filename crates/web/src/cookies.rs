//! Reading and writing the two cookies we use: the session and the CSRF seed.

use std::fmt::Write;

use axum::http::{HeaderMap, HeaderValue, header};

/// Holds the session token of a signed-in person.
pub const SESSION: &str = "cg_session";
/// Holds the random value that CSRF tokens are derived from.
pub const CSRF: &str = "cg_csrf";

/// The value of cookie `name` in the request, if sent.
#[must_use]
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, whole site, `Secure` over https.
///
/// Lax (not Strict) so that a link from an email to a signed-in page works; forms are
/// protected by the CSRF token as well.
#[must_use]
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        let _ = write!(cookie, "; Max-Age={age}");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that deletes cookie `name`.
#[must_use]
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", Some(0), secure)
}
