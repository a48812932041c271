//! Online backup, integrity checks and the counts that monitoring reads.

use sqlx::Row;

use crate::{Backend, Result, Store, StoreError, now};

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

    /// Background jobs by state, due jobs not yet started, and stored emails by delivery
    /// status: instance-wide totals that say nothing about any organisation or person.
    pub async fn operational_counts(&self) -> Result<OperationalCounts> {
        let grouped = |sql: &'static str| async move {
            let rows = sqlx::query(sql).fetch_all(&self.reader).await?;
            Ok::<_, StoreError>(
                rows.iter()
                    .map(|row| (row.get::<String, _>(0), row.get::<i64, _>(1)))
                    .collect::<Vec<_>>(),
            )
        };
        let jobs =
            grouped("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state").await?;
        let emails =
            grouped("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status").await?;
        let due: i64 =
            sqlx::query("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND run_at <= $1")
                .bind(now())
                .fetch_one(&self.reader)
                .await?
                .get(0);
        Ok(OperationalCounts {
            jobs,
            due_jobs: due,
            emails,
        })
    }
}

/// What [`Store::operational_counts`] reads.
#[derive(Debug, Clone, Default)]
pub struct OperationalCounts {
    /// Jobs by state (queued, running, done, failed).
    pub jobs: Vec<(String, i64)>,
    /// Queued jobs whose time has come: the queue's depth.
    pub due_jobs: i64,
    /// Stored emails by delivery status (stored, queued, sent, rejected, failed).
    pub emails: Vec<(String, i64)>,
}
