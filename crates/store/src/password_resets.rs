//! Password reset links: one hour, one use, and a reset signs the person out everywhere.

use sqlx::Row;

use crate::outbox::OutgoingEmail;
use crate::users::{User, user_from_row};
use crate::{Result, Store, StoreError, hash_secret, now};

/// How long a reset link works.
pub const RESET_SECONDS: i64 = 60 * 60;

/// Why a reset link no longer works.
pub const RESET_UNUSABLE: &str = "this password reset link has already been used or has expired";

impl Store {
    /// Records a reset link for `user` (replacing earlier ones) and queues its email.
    pub async fn create_password_reset(
        &self,
        user: &User,
        token_hash: &str,
        message: &OutgoingEmail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now();
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user.id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.id.0)
        .bind(now)
        .bind(now + RESET_SECONDS)
        .execute(&mut *tx)
        .await?;
        self.queue_email(&mut tx, message, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a still-usable reset link belongs to.
    pub async fn password_reset_user(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at \
             FROM password_resets JOIN users ON users.id = password_resets.user_id \
             WHERE password_resets.token_hash = $1 AND password_resets.used_at IS NULL \
             AND password_resets.expires_at > $2",
        )
        .bind(hash_secret(token))
        .bind(now())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(user_from_row))
    }

    /// Uses a reset link: sets the new password and ends every session of the user.
    pub async fn complete_password_reset(&self, token: &str, password_hash: &str) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let now = now();
        let hash = hash_secret(token);
        let row = sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Refused(RESET_UNUSABLE))?;
        let user_id: i64 = row.get(0);
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let user = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user_from_row(&user))
    }
}
