//! Personal API tokens for automation: shown once, stored hashed, revocable.

use commonground_domain::{ApiTokenId, UserId};
use sqlx::Row;

use crate::users::{User, user_from_row};
use crate::{NewSecret, Result, Store, hash_secret, now};

/// A token as listed to its owner (never the secret itself).
#[derive(Debug, Clone)]
pub struct ApiToken {
    /// Its id.
    pub id: ApiTokenId,
    /// What the owner called it.
    pub name: String,
    /// When it was made.
    pub created_at: i64,
    /// When it was last used, if ever.
    pub last_used_at: Option<i64>,
}

/// Prefix that makes leaked tokens easy to spot in logs or code.
pub const TOKEN_PREFIX: &str = "cg_";

impl Store {
    /// Makes a token for `user`; the returned string is the only copy of the secret.
    pub async fn create_api_token(&self, user: UserId, name: &str) -> Result<(ApiToken, String)> {
        let secret = NewSecret::generate(TOKEN_PREFIX);
        let created_at = now();
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(&secret.hash)
        .bind(created_at)
        .fetch_one(&self.writer)
        .await?;
        let token = ApiToken {
            id: ApiTokenId(row.get(0)),
            name: name.to_owned(),
            created_at,
            last_used_at: None,
        };
        Ok((token, secret.token))
    }

    /// Tokens `user` made at or after `since` (Unix seconds), revoked ones included.
    pub async fn api_tokens_made_since(&self, user: UserId, since: i64) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND created_at >= $2")
                .bind(user.0)
                .bind(since)
                .fetch_one(&self.writer)
                .await?;
        Ok(row.get(0))
    }

    /// A user's live tokens, newest first.
    pub async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| ApiToken {
                id: ApiTokenId(row.get(0)),
                name: row.get(1),
                created_at: row.get(2),
                last_used_at: row.get(3),
            })
            .collect())
    }

    /// Revokes one of the user's tokens; false when the user has no such live token.
    pub async fn revoke_api_token(&self, user: UserId, id: ApiTokenId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id.0)
        .bind(user.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The user a live token belongs to, recording its use.
    pub async fn api_token_user(&self, token: &str) -> Result<Option<User>> {
        let hash = hash_secret(token);
        let row = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at, api_tokens.last_used_at \
             FROM api_tokens JOIN users ON users.id = api_tokens.user_id \
             WHERE api_tokens.token_hash = $1 AND api_tokens.revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // Record use at most once a minute, so that API traffic is not a stream of writes.
        let now = now();
        let last: Option<i64> = row.get(5);
        if last.is_none_or(|t| now - t > 60) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(user_from_row(&row)))
    }
}
