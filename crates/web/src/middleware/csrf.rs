//! Cross-site request forgery protection for pages (the API uses bearer tokens, not cookies).
//!
//! Two checks, both needed for a forged post to fail in every browser:
//! 1. Here: a post whose `Sec-Fetch-Site` says cross-site, or whose `Origin` is not ours, is
//!    refused before any handler runs.
//! 2. In the form extractor ([`crate::extractors::Form`]): every form carries a token that is an
//!    HMAC of a random cookie value ("signed double submit"). Another site can neither read the
//!    cookie nor compute the HMAC without our key.
//!
//! This layer also gives every visitor the random cookie on first sight, so the sign-in form
//! works before there is a session.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::cookies;
use crate::error::AppError;
use crate::state::AppState;

/// The random cookie value this request's CSRF token derives from.
#[derive(Clone)]
pub struct CsrfSeed(pub String);

fn mac_of(key: &[u8], seed: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(seed.as_bytes());
    mac
}

/// The form token for `seed` under `key`.
#[must_use]
pub fn token_for(key: &[u8], seed: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac_of(key, seed).finalize().into_bytes())
}

/// Whether `token` is the right one for `seed`, compared in constant time.
#[must_use]
pub fn token_matches(key: &[u8], seed: &str, token: &str) -> bool {
    let Ok(sent) = URL_SAFE_NO_PAD.decode(token.as_bytes()) else {
        return false;
    };
    mac_of(key, seed).verify_slice(&sent).is_ok()
}

/// Refuses cross-site posts and makes sure the visitor has a CSRF cookie.
pub async fn protect(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method && is_cross_site(&state, &request) {
        return AppError::Csrf.into_response();
    }
    let existing = cookies::read(request.headers(), cookies::CSRF).map(str::to_owned);
    let (seed, fresh) = match existing {
        Some(seed) => (seed, false),
        None => (commonground_store::NewSecret::generate("").token, true),
    };
    request.extensions_mut().insert(CsrfSeed(seed.clone()));
    let mut response = next.run(request).await;
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::CSRF, &seed, None, state.config.secure_cookies),
        );
    }
    response
}

fn is_cross_site(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let ours = origin == state.config.public_base_url
        || host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, rest)| rest == h));
    !ours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_seed() {
        let key = b"k".repeat(32);
        let token = token_for(&key, "seed-a");
        assert!(token_matches(&key, "seed-a", &token));
        assert!(!token_matches(&key, "seed-b", &token));
        assert!(!token_matches(b"other key", "seed-a", &token));
        assert!(!token_matches(&key, "seed-a", "not base64 !"));
        assert!(!token_matches(&key, "seed-a", ""));
    }
}
