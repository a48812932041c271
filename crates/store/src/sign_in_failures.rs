//! Failed sign-ins, counted per email and per client address to slow password guessing.
//!
//! Stored in the database rather than in memory so that several instances behind a load
//! balancer share one count. Rows older than the window are deleted as new ones arrive.

use sqlx::Row;

use crate::{Result, Store, now};

/// The window over which failures count.
pub const WINDOW_SECONDS: i64 = 15 * 60;

impl Store {
    /// Records a failed attempt.
    pub async fn record_sign_in_failure(&self, email: &str, client: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(now() - WINDOW_SECONDS)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (email, client, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Failures in the window for this email, and for this client.
    pub async fn recent_sign_in_failures(&self, email: &str, client: &str) -> Result<(i64, i64)> {
        let since = now() - WINDOW_SECONDS;
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at >= $3), \
               (SELECT COUNT(*) FROM sign_in_failures WHERE client = $2 AND at >= $3)",
        )
        .bind(email)
        .bind(client)
        .bind(since)
        .fetch_one(&self.reader)
        .await?;
        Ok((row.get(0), row.get(1)))
    }

    /// Forgets the failures for an email after a successful sign-in.
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
