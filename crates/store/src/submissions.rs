//! Storing questionnaire answers in groups (group commit).
//!
//! An answer must be durable before the person is thanked, and the commit (an fsync on SQLite's
//! single writer) is the dearest step. So a request hands its checked submission to a writer
//! task, which stores everything waiting in one transaction and answers each request after the
//! commit. Under load one transaction holds dozens of answers; on a quiet day an answer waits
//! for nobody.
//!
//! Grouping keeps every rule of the questionnaire module: each personal link answers once (one
//! conditional update marks every link of the group and reports which it marked), answers carry
//! no participant id, and mixing at close still rewrites them all. A group's comments are
//! shuffled before they are written, so not even their order inside the group follows the
//! answers'.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use commonground_domain::dates::iso_date;
use commonground_domain::questionnaire::Submission;
use commonground_domain::review::QuestionnaireState;
use rand::seq::SliceRandom;
use sqlx::{AnyPool, Row};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::questionnaire::{NewComment, NewResponse, Submitted, insert_comments, insert_responses};
use crate::{Backend, NewSecret, Result, Store, StoreError, begin_write, hash_secret, now};

/// The most submissions stored in one transaction; also bounds each statement's parameters.
const MOST_IN_GROUP: usize = 128;
/// Submissions waiting for a writer before senders wait too.
const WAITING: usize = 1_024;

/// How a submission came: by a personal link (answers once) or a review's open link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Personal,
    Open,
}

struct Pending {
    via: Via,
    link_hash: String,
    submission: Submission,
    reply: oneshot::Sender<Result<Submitted>>,
}

/// The queue in front of the writer tasks; cheap to clone.
#[derive(Clone)]
pub(crate) struct SubmissionWriter {
    sender: mpsc::Sender<Pending>,
    /// Answers this process has stored, for monitoring.
    stored: Arc<AtomicU64>,
}

impl SubmissionWriter {
    /// Starts the writer tasks over `pool`: one on SQLite (there is one writer anyway), a few on
    /// PostgreSQL, where transactions run side by side.
    pub(crate) fn start(pool: &AnyPool, backend: Backend) -> Self {
        let (sender, receiver) = mpsc::channel(WAITING);
        let receiver = Arc::new(Mutex::new(receiver));
        let writers = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 2,
        };
        for _ in 0..writers {
            tokio::spawn(write_groups(pool.clone(), backend, receiver.clone()));
        }
        Self {
            sender,
            stored: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Store {
    /// Stores a submission from a personal link, once: the link's completion mark and the answer
    /// are one transaction, and the mark is a conditional update, so a second or concurrent
    /// submission stores nothing.
    pub async fn submit_response(&self, token: &str, submission: Submission) -> Result<Submitted> {
        self.submit(Via::Personal, token, submission).await
    }

    /// Stores a submission from an open link. Nobody is marked as answered: an open link cannot
    /// tell who answered, so it cannot stop anyone answering twice.
    pub async fn submit_open_response(
        &self,
        token: &str,
        submission: Submission,
    ) -> Result<Submitted> {
        self.submit(Via::Open, token, submission).await
    }

    /// Stores submissions from personal links in one transaction, directly, without the queue
    /// in front of the writer: the benchmarks' bare insert loop measures the database with it.
    pub async fn submit_responses_together(
        &self,
        group: Vec<(String, Submission)>,
    ) -> Result<Vec<Submitted>> {
        let items: Vec<_> = group
            .into_iter()
            .map(|(token, submission)| (Via::Personal, hash_secret(&token), submission))
            .collect();
        store_group(&self.writer, self.backend, &items)
            .await
            .map_err(Failed::into_error)
    }

    async fn submit(&self, via: Via, token: &str, submission: Submission) -> Result<Submitted> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            via,
            link_hash: hash_secret(token),
            submission,
            reply,
        };
        if self.submissions.sender.send(pending).await.is_err() {
            return Err(StoreError::Database(sqlx::Error::WorkerCrashed));
        }
        let outcome = answer
            .await
            .unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed)));
        if matches!(outcome, Ok(Submitted::Stored)) {
            self.submissions.stored.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }

    /// Answers this process has stored since it started (by personal and open links).
    #[must_use]
    pub fn submissions_stored(&self) -> u64 {
        self.submissions.stored.load(Ordering::Relaxed)
    }
}

/// One writer task: takes whatever is waiting (at least one), stores it, answers, repeats.
async fn write_groups(
    pool: AnyPool,
    backend: Backend,
    receiver: Arc<Mutex<mpsc::Receiver<Pending>>>,
) {
    loop {
        let mut group = Vec::new();
        {
            let mut waiting = receiver.lock().await;
            if waiting.recv_many(&mut group, MOST_IN_GROUP).await == 0 {
                return;
            }
        }
        let (items, replies): (Vec<_>, Vec<_>) = group
            .into_iter()
            .map(|p| ((p.via, p.link_hash, p.submission), p.reply))
            .unzip();
        match store_group(&pool, backend, &items).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            // Nothing of the group was stored: try each on its own, so one bad submission
            // cannot fail the others.
            Err(Failed::BeforeCommit(_)) if items.len() > 1 => {
                for (item, reply) in items.iter().zip(replies) {
                    let outcome = store_group(&pool, backend, std::slice::from_ref(item))
                        .await
                        .map(|mut one| one.remove(0))
                        .map_err(Failed::into_error);
                    let _ = reply.send(outcome);
                }
            }
            // A failed commit may still have stored the group (the connection can drop after
            // the server committed), so trying again could store an open-link answer twice.
            Err(failed) => {
                let reason = failed.into_error().to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Database(sqlx::Error::Protocol(
                        reason.clone(),
                    ))));
                }
            }
        }
    }
}

enum Failed {
    BeforeCommit(StoreError),
    AtCommit(StoreError),
}

impl Failed {
    fn into_error(self) -> StoreError {
        match self {
            Failed::BeforeCommit(e) | Failed::AtCommit(e) => e,
        }
    }
}

/// Stores a group in one transaction; the outcome of each, in order.
async fn store_group(
    pool: &AnyPool,
    backend: Backend,
    items: &[(Via, String, Submission)],
) -> Result<Vec<Submitted>, Failed> {
    let mut tx = begin_write(pool, backend)
        .await
        .map_err(Failed::BeforeCommit)?;
    if backend == Backend::Postgres {
        hold_reviews_open(&mut tx, items)
            .await
            .map_err(Failed::BeforeCommit)?;
    }
    let outcomes = write_group(&mut tx, items)
        .await
        .map_err(Failed::BeforeCommit)?;
    tx.commit()
        .await
        .map_err(|e| Failed::AtCommit(StoreError::Database(e)))?;
    Ok(outcomes)
}

async fn write_group(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    items: &[(Via, String, Submission)],
) -> Result<Vec<Submitted>> {
    let hashes = |via: Via| -> Vec<&str> {
        let mut hashes: Vec<&str> = items
            .iter()
            .filter(|(v, _, _)| *v == via)
            .map(|(_, hash, _)| hash.as_str())
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    };
    let mut marked = mark_answered(tx, &hashes(Via::Personal)).await?;
    let open = open_link_reviews(tx, &hashes(Via::Open)).await?;
    let today = iso_date(now());
    let mut outcomes = Vec::with_capacity(items.len());
    let mut responses = Vec::new();
    let mut comments = Vec::new();
    for (via, hash, submission) in items {
        let review = match via {
            // Taken out once used, so the same link twice in one group stores once.
            Via::Personal => match marked.remove(hash.as_str()) {
                Some(review) => Ok(review),
                None => Err(why_not_marked(tx, hash).await?),
            },
            Via::Open => match open.get(hash.as_str()) {
                Some((review, true)) => Ok(*review),
                Some((_, false)) => Err(Submitted::NotOpen),
                None => Err(Submitted::UnknownLink),
            },
        };
        match review {
            Ok(review) => {
                responses.push(NewResponse {
                    id: NewSecret::generate("").token,
                    review,
                    record: &submission.record,
                    date: today.as_str(),
                });
                comments.extend(submission.comments.iter().map(|(prompt, body)| NewComment {
                    id: NewSecret::generate("").token,
                    review,
                    prompt,
                    body,
                }));
                outcomes.push(Submitted::Stored);
            }
            Err(outcome) => outcomes.push(outcome),
        }
    }
    comments.shuffle(&mut rand::rng());
    insert_responses(tx, &responses).await?;
    insert_comments(tx, &comments).await?;
    // Last, so that on PostgreSQL the review's row is locked only while the group commits.
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for response in &responses {
        *counts.entry(response.review).or_default() += 1;
    }
    for (review, count) in counts {
        sqlx::query("UPDATE reviews SET answers = answers + $1 WHERE id = $2")
            .bind(count)
            .bind(review)
            .execute(&mut **tx)
            .await?;
    }
    Ok(outcomes)
}

/// Marks the links of open questionnaires that have not answered; link hash → review, for
/// those it marked.
async fn mark_answered<'a>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    hashes: &[&'a str],
) -> Result<HashMap<&'a str, i64>> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "UPDATE participants SET responded = 1 WHERE responded = 0 AND link_hash IN ({}) \
         AND review_id IN (SELECT id FROM reviews WHERE questionnaire_state = '{}') \
         RETURNING link_hash, review_id",
        placeholders(hashes.len()),
        QuestionnaireState::Open.as_str()
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for hash in hashes {
        query = query.bind(*hash);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut marked = HashMap::with_capacity(rows.len());
    for row in &rows {
        let hash: String = row.get(0);
        if let Some(known) = hashes.iter().find(|h| **h == hash) {
            marked.insert(*known, row.get::<i64, _>(1));
        }
    }
    Ok(marked)
}

/// Why a personal link was not marked: unknown, its questionnaire not open, or answered.
async fn why_not_marked(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    hash: &str,
) -> Result<Submitted> {
    let row = sqlx::query(
        "SELECT reviews.questionnaire_state FROM participants \
         JOIN reviews ON reviews.id = participants.review_id WHERE participants.link_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None => Submitted::UnknownLink,
        Some(row) if row.get::<String, _>(0) != QuestionnaireState::Open.as_str() => {
            Submitted::NotOpen
        }
        Some(_) => Submitted::AlreadyAnswered,
    })
}

/// Open link hash → (review, whether its questionnaire is open).
async fn open_link_reviews<'a>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    hashes: &[&'a str],
) -> Result<HashMap<&'a str, (i64, bool)>> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT open_link_hash, id, questionnaire_state FROM reviews WHERE open_link_hash IN ({})",
        placeholders(hashes.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for hash in hashes {
        query = query.bind(*hash);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut reviews = HashMap::with_capacity(rows.len());
    for row in &rows {
        let hash: String = row.get(0);
        if let Some(known) = hashes.iter().find(|h| **h == hash) {
            let open = row.get::<String, _>(2) == QuestionnaireState::Open.as_str();
            reviews.insert(*known, (row.get::<i64, _>(1), open));
        }
    }
    Ok(reviews)
}

/// Namespace of the PostgreSQL advisory locks that keep closing and storing apart, one per
/// review (the second key is the review's id).
pub(crate) const CLOSING_LOCKS: i32 = 7262;

/// Takes a shared lock on each review the group's links belong to, before reading whether
/// their questionnaires are open. Closing takes the same lock exclusively before it mixes, so
/// it waits for every group already storing and every later group waits for it and then finds
/// the questionnaire closed. Without this a group that read "open" just before the close
/// committed would store its answers after the mix, keeping the transaction id it shares with
/// the participants it marked: a link the mix exists to break. SQLite's single writer cannot
/// interleave the two, so it needs none.
async fn hold_reviews_open(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    items: &[(Via, String, Submission)],
) -> Result<()> {
    let hashes: Vec<&str> = items.iter().map(|(_, hash, _)| hash.as_str()).collect();
    let list = placeholders(hashes.len());
    let sql = format!(
        "SELECT pg_advisory_xact_lock_shared({CLOSING_LOCKS}, CAST(review AS INTEGER))::TEXT FROM \
         (SELECT review_id AS review FROM participants WHERE link_hash IN ({list}) \
         UNION SELECT id FROM reviews WHERE open_link_hash IN ({list})) AS linked ORDER BY review"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for hash in &hashes {
        query = query.bind(*hash);
    }
    query.fetch_all(&mut **tx).await?;
    Ok(())
}

/// `$1, $2, ... $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
