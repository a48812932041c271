//! Personal API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::{ApiTokenId, EmailAddress};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ClientAddress};
use crate::pages::account::parse_token_name;
use crate::sign_in::{Refusal, TOO_MANY_TOKENS, check_credentials, may_make_token};
use crate::state::AppState;

/// Email and password in exchange for a new token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    /// The account's email address.
    pub email: String,
    /// The account's password.
    pub password: String,
    /// A name to recognise the token by; defaults to "API".
    #[serde(default)]
    pub name: Option<String>,
}

/// A token as listed (never the secret).
#[derive(Serialize, ToSchema)]
pub struct ApiTokenBody {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was last used, if ever.
    pub last_used_at: Option<String>,
}

/// A new token: the secret appears here once and is never shown again.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The token's details.
    #[serde(flatten)]
    pub details: ApiTokenBody,
    /// The secret to send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Exchanges an email and password for a new personal API token.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "createApiToken", tag = "tokens",
    request_body = CreateApiTokenRequest,
    responses(
        (status = 201, body = CreatedApiToken),
        (status = 401, description = "Wrong email or password", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many failed attempts, or 10 tokens made in the last hour", body = Problem),
    ))]
pub async fn create_api_token(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(body): Json<CreateApiTokenRequest>,
) -> AppResult<(StatusCode, Json<CreatedApiToken>)> {
    let email = EmailAddress::parse(&body.email).map_err(|e| AppError::invalid("email", e.0))?;
    let name = parse_token_name(body.name.as_deref().unwrap_or("API"))
        .map_err(|e| AppError::invalid("name", e.0))?;
    let user = match check_credentials(&state, &email, &body.password, &client).await? {
        Ok(user) => user,
        Err(Refusal::TooManyAttempts) => {
            return Err(AppError::TooManyRequests(format!(
                "{}.",
                Refusal::TooManyAttempts.message()
            )));
        }
        Err(Refusal::WrongCredentials) => return Err(AppError::SignInRequired),
    };
    if !may_make_token(&state, user.id).await? {
        return Err(AppError::TooManyRequests(format!("{TOO_MANY_TOKENS}.")));
    }
    let (token, secret) = state.store.create_api_token(user.id, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            details: ApiTokenBody {
                id: token.id.0,
                name: token.name,
                created_at: rfc3339(token.created_at),
                last_used_at: None,
            },
            token: secret,
        }),
    ))
}

/// Lists the caller's live tokens.
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "listApiTokens", tag = "tokens",
    security(("bearer" = [])),
    responses((status = 200, body = [ApiTokenBody]), (status = 401, body = Problem)))]
pub async fn list_api_tokens(
    State(state): State<AppState>,
    caller: ApiUser,
) -> AppResult<Json<Vec<ApiTokenBody>>> {
    let tokens = state.store.list_api_tokens(caller.user.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| ApiTokenBody {
                id: t.id.0,
                name: t.name,
                created_at: rfc3339(t.created_at),
                last_used_at: t.last_used_at.map(rfc3339),
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{token_id}", operation_id = "revokeApiToken", tag = "tokens",
    security(("bearer" = [])),
    params(("token_id" = i64, Path, description = "The token's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_api_token(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(token_id): Path<i64>,
) -> AppResult<StatusCode> {
    super::no_content_or_not_found(
        state
            .store
            .revoke_api_token(caller.user.id, ApiTokenId(token_id))
            .await?,
    )
}
