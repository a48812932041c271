//! Online backup and integrity checks.

use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of a SQLite database to `path` while it stays in use.
    ///
    /// `VACUUM INTO` reads inside one transaction, so the copy is a snapshot even while writes
    /// go on; the result is also compacted. PostgreSQL has its own tools (`pg_dump`).
    pub async fn backup_sqlite_into(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Refused(
                "backup_sqlite_into needs a SQLite database",
            ));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.reader)
            .await?;
        Ok(())
    }

    /// SQLite's own check of every page and index; "ok" when healthy.
    pub async fn integrity_check(&self) -> Result<String> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA integrity_check",
            Backend::Postgres => "SELECT 'ok'",
        };
        let row = sqlx::query(sql).fetch_one(&self.reader).await?;
        Ok(row.get(0))
    }
}
