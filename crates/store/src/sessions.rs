//! Signed-in sessions, stored in the database so that every instance recognises them.

use sqlx::Row;

use crate::users::{User, user_from_row};
use crate::{NewSecret, Result, Store, hash_secret, now};

/// How long a session lasts without signing in again: a working day and a bit.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;

impl Store {
    /// Starts a session for `user`; the returned token goes in the cookie and is never stored.
    pub async fn create_session(&self, user: &User) -> Result<String> {
        let secret = NewSecret::generate("");
        let created = now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&secret.hash)
        .bind(user.id.0)
        .bind(created)
        .bind(created + SESSION_SECONDS)
        .execute(&self.writer)
        .await?;
        Ok(secret.token)
    }

    /// The user a live session belongs to, if the token names one.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at \
             FROM sessions JOIN users ON users.id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires_at > $2",
        )
        .bind(hash_secret(token))
        .bind(now())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(user_from_row))
    }

    /// Ends a session (sign-out); unknown tokens are ignored.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(hash_secret(token))
            .bind(now())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// How many live sessions a user has.
    pub async fn count_sessions(&self, user: &User) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
                .bind(user.id.0)
                .bind(now())
                .fetch_one(&self.reader)
                .await?;
        Ok(row.get(0))
    }
}
