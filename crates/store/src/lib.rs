//! commonground's data layer: one code path over an embedded SQLite file and PostgreSQL.
//!
//! Queries go through sqlx's `Any` driver, so each is written once with `$1`-style parameters
//! that both dialects accept. `Any` carries only integers, floats, text and blobs, which is why
//! the schema keeps times as Unix seconds and flags as 0/1 integers.
//!
//! SQLite allows one writer at a time: a write that starts as a reader and upgrades can fail at
//! once with "database is locked" whatever the busy timeout. So on SQLite every write goes
//! through a single-connection writer pool, and transactions there begin IMMEDIATE. On
//! PostgreSQL the reader and writer are the same pool.
//!
//! Methods that touch an organisation's data take its [`OrganisationId`]; callers have already
//! checked the caller's role in that organisation (see the web crate's extractors).

mod instance;
mod maintenance;
pub use maintenance::OperationalCounts;
mod migrate;
mod secret;
mod submissions;

pub mod api_tokens;
pub mod audit;
pub mod capture;
pub mod cards;
pub mod deliveries;
pub mod divisions;
pub mod instruments;
pub mod invitations;
pub mod jobs;
pub mod live;
pub mod mailings;
pub mod members;
pub mod organisations;
pub mod outbox;
pub mod participants;
pub mod password_resets;
pub mod polls;
pub mod privacy;
pub mod questionnaire;
pub mod reminders;
pub mod reviews;
pub mod sessions;
pub mod sign_in_failures;
pub mod team_sessions;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use commonground_domain::OrganisationId;
use commonground_domain::ReviewId;
pub use secret::{NewSecret, hash_secret};

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row that must be unique already exists (the string names what).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// The change would break a rule the store keeps (the string says which).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// The database URL is not one we support.
    #[error("{0}")]
    BadUrl(String),
    /// Stored data that no longer reads (the string says what and why).
    #[error("stored data cannot be read: {0}")]
    Unreadable(String),
    /// The database was migrated by a newer release than this one.
    #[error(
        "the database is at migration {database} but this release knows migrations up to \
         {release} only: run the newer release, or restore a backup taken before the upgrade"
    )]
    NewerDatabase {
        /// The newest migration the database has.
        database: i64,
        /// The newest migration this release has.
        release: i64,
    },
    /// The database failed or could not be reached.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The data layer: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    reader: AnyPool,
    writer: AnyPool,
    backend: Backend,
    smtp_delivery: bool,
    submissions: submissions::SubmissionWriter,
    instruments: instruments::InstrumentCache,
    /// PostgreSQL's URL, for the live listener's own connection.
    url: Option<String>,
}

impl Store {
    /// Connects to `url` (`sqlite://FILE` or `postgres://...`), creating a SQLite file if needed.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(format!(
                "the database URL must start with sqlite:// or postgres://, not {:?}",
                url.split(':').next().unwrap_or_default()
            )));
        };
        let store = match backend {
            Backend::Sqlite => {
                let url = with_create_mode(url);
                let options = AnyConnectOptions::from_str(&url)?;
                // Every commit is synced (`synchronous = FULL`). Statement journals stay in
                // memory. The commit that takes the write-ahead log past 4,000 pages (16 MB)
                // copies it into the database file: rarer copies write each changed page fewer
                // times. Under submission load 4,000 beat both SQLite's 1,000 (slower) and
                // 10,000 (each copy held answers back long enough to double the p99).
                let sqlite_pool = |max| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                                     PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; \
                                     PRAGMA wal_autocheckpoint = 4000;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let writer = sqlite_pool(1).connect_with(options.clone()).await?;
                // WAL lets readers go on while the writer commits; the mode is kept in the file.
                // A read-only open (checking a backup) must leave the file as it is.
                if !url.contains("mode=ro") {
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .fetch_all(&writer)
                        .await?;
                }
                let reader = sqlite_pool(8).connect_with(options).await?;
                Store {
                    reader,
                    submissions: submissions::SubmissionWriter::start(&writer, backend),
                    instruments: instruments::InstrumentCache::default(),
                    writer,
                    backend,
                    smtp_delivery: false,
                    url: None,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?;
                Store {
                    reader: pool.clone(),
                    submissions: submissions::SubmissionWriter::start(&pool, backend),
                    instruments: instruments::InstrumentCache::default(),
                    writer: pool,
                    backend,
                    smtp_delivery: false,
                    url: Some(url.to_owned()),
                }
            }
        };
        Ok(store)
    }

    /// The same store, queueing every new email for SMTP delivery (`true`) or keeping it in the
    /// outbox as the delivery (`false`, the default: no mail server needed).
    #[must_use]
    pub fn with_smtp_delivery(mut self, on: bool) -> Self {
        self.smtp_delivery = on;
        self
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies any migrations not yet applied; safe to run from several instances at once.
    pub async fn migrate(&self) -> Result<Vec<String>> {
        migrate::run(self).await
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1")
            .fetch_one(&self.reader)
            .await
            .is_ok()
    }

    /// Closes every connection, letting SQLite fold its WAL back into the file.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Begins a write transaction: IMMEDIATE on SQLite, so it never fails half-way on a lock.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        begin_write(&self.writer, self.backend).await
    }
}

/// Begins a write transaction on `pool` (the writer pool): IMMEDIATE on SQLite.
async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => pool.begin().await?,
    })
}

/// Adds `mode=rwc` so that the SQLite file is created on first run.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The current time in Unix seconds, as the schema stores it.
#[must_use]
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Maps a unique-constraint failure to [`StoreError::Conflict`] naming `what`.
fn conflict_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

/// Whether `org` has `review`, inside a transaction: the check every change to a review's data
/// starts with, so a caller can never touch another organisation's review.
async fn review_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrganisationId,
    review: ReviewId,
) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM reviews WHERE id = $1 AND organisation_id = $2")
            .bind(review.0)
            .bind(org.0)
            .fetch_optional(&mut **tx)
            .await?
            .is_some(),
    )
}
