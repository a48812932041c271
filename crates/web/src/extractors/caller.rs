//! The caller's identity: a session cookie for pages, a bearer token for the API.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use commonground_store::users::User;

use crate::cookies;
use crate::error::AppError;
use crate::middleware::csrf::{CsrfSeed, token_for};
use crate::state::AppState;

/// The visitor of a page: maybe signed in, always with a CSRF token for forms.
#[derive(Clone)]
pub struct Session {
    /// The signed-in person, if any.
    pub user: Option<User>,
    /// The session token from the cookie, if any.
    pub token: Option<String>,
    /// The token every form on the page must send back.
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // Several extractors may ask in one request: look the session up once.
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        let token = cookies::read(&parts.headers, cookies::SESSION).map(str::to_owned);
        let user = match &token {
            Some(token) => state.store.session_user(token).await?,
            None => None,
        };
        let seed = parts
            .extensions
            .get::<CsrfSeed>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let session = Session {
            token: token.filter(|_| user.is_some()),
            user,
            csrf_token: token_for(&state.csrf_key, &seed),
        };
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

/// A signed-in person on a page.
#[derive(Clone)]
pub struct SignedIn {
    /// Who they are.
    pub user: User,
    /// The whole session, for the page chrome.
    pub session: Session,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state).await?;
        let user = session.user.clone().ok_or(AppError::SignInRequired)?;
        Ok(SignedIn { user, session })
    }
}

/// A caller of the JSON API, identified by a personal token in `Authorization: Bearer`.
#[derive(Clone)]
pub struct ApiUser {
    /// Who the token belongs to.
    pub user: User,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::SignInRequired)?;
        let user = state
            .store
            .api_token_user(token)
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(ApiUser { user })
    }
}

/// Either kind of identified caller.
pub trait Caller: FromRequestParts<AppState, Rejection = AppError> + Send + Sync {
    /// The person calling.
    fn user(&self) -> &User;
}

impl Caller for SignedIn {
    fn user(&self) -> &User {
        &self.user
    }
}

impl Caller for ApiUser {
    fn user(&self) -> &User {
        &self.user
    }
}

/// The client's address as the server saw it (the peer, not a forwarded header, which anyone
/// can set), for rate limits.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, AppError> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        Ok(ClientAddress(ip))
    }
}
