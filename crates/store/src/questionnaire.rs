//! The questionnaire's life: opening (personal links and their emails), answering once,
//! closing (with the answers mixed), releasing; and reading answers back for results.
//!
//! Anonymity (PRODUCT.md section 4) is kept here, where the data is:
//! - An answer row holds the profile the person gave and their answers, with a random key and
//!   the date only: no participant id, no link, no time.
//! - Completion is recorded on the participant, in the same transaction as the answer, so a link
//!   answers once even when two submissions race.
//! - That shared transaction is itself a link on PostgreSQL, where every row records the id of
//!   the transaction that wrote it (`xmin`), and both databases keep rows roughly in the order
//!   they were written. So closing the questionnaire "mixes" the review: its answers and
//!   comments are written again, in random order, under new random keys, in one transaction that
//!   also rewrites every participant row. Afterwards every answer and every participant of the
//!   review carry the same transaction id, and nothing orders answers by time. Results are only
//!   shown once the questionnaire is closed, so they are only ever computed from mixed answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use commonground_domain::instrument::Instrument;
use commonground_domain::participants::{ProfessionGroup, RoleLevel};
use commonground_domain::questionnaire::{Answer, ResponseRecord};
use commonground_domain::review::QuestionnaireState;
use commonground_domain::{InstrumentVersionId, JobId, OrganisationId, ReviewId};
use rand::seq::SliceRandom;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::jobs::{NewJob, enqueue as enqueue_job};
use crate::mailings::{SEND_INVITATIONS, SEND_THANKS};
use crate::{Backend, NewSecret, Result, Store, StoreError, hash_secret, now};

/// Why a state change was refused.
pub const WRONG_STATE: &str = "the questionnaire is not in a state that allows this";

/// What a personal link leads to.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// The organisation's name.
    pub organisation_name: String,
    /// The review.
    pub review_id: ReviewId,
    /// Its title.
    pub review_title: String,
    /// Where its questionnaire stands.
    pub state: QuestionnaireState,
    /// The instrument version the review pinned.
    pub instrument: Arc<Instrument>,
    /// The organisation's minimum reporting group, which the page states.
    pub min_reporting_group: u32,
    /// The organisation's divisions, by name, to choose from.
    pub divisions: Vec<String>,
    /// The participant's profile as invited, to pre-fill the form.
    pub profession: ProfessionGroup,
    /// Their division as invited.
    pub division: Option<String>,
    /// Their role level as invited.
    pub role_level: RoleLevel,
    /// Whether this link has already answered.
    pub responded: bool,
}

/// What an open link leads to.
#[derive(Debug, Clone)]
pub struct OpenLinkTarget {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// The organisation's name.
    pub organisation_name: String,
    /// The review's title.
    pub review_title: String,
    /// Where its questionnaire stands.
    pub state: QuestionnaireState,
    /// The instrument version the review pinned.
    pub instrument: Arc<Instrument>,
    /// The organisation's minimum reporting group, which the page states.
    pub min_reporting_group: u32,
    /// The organisation's divisions, by name, to choose from.
    pub divisions: Vec<String>,
}

/// The outcome of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Stored.
    Stored,
    /// This link has already answered; nothing stored.
    AlreadyAnswered,
    /// The questionnaire is not open; nothing stored.
    NotOpen,
    /// No such link; nothing stored.
    UnknownLink,
}

/// The organisation's division names in one column, by name, so that a questionnaire page
/// needs one query. Names cannot hold control characters, so the unit separator splits them.
fn divisions_column(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "(SELECT group_concat(name, char(31)) FROM (SELECT name FROM divisions \
             WHERE organisation_id = organisations.id ORDER BY name))"
        }
        Backend::Postgres => {
            "(SELECT string_agg(name, chr(31) ORDER BY name) FROM divisions \
             WHERE organisation_id = organisations.id)"
        }
    }
}

fn split_divisions(column: Option<String>) -> Vec<String> {
    column.map_or_else(Vec::new, |names| {
        names.split('\u{1f}').map(str::to_owned).collect()
    })
}

fn pairs<'a>(items: impl IntoIterator<Item = (&'a String, String)>) -> String {
    items
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn unpairs(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(',').filter_map(|pair| pair.split_once('='))
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn record_from_row(row: &AnyRow) -> ResponseRecord {
    let answers: String = row.get(3);
    let involvement: String = row.get(4);
    ResponseRecord {
        profession: row
            .get::<Option<String>, _>(0)
            .and_then(|p| ProfessionGroup::parse(&p).ok()),
        division: row.get(1),
        role_level: row
            .get::<Option<String>, _>(2)
            .and_then(|l| RoleLevel::parse(&l).ok()),
        answers: unpairs(&answers)
            .filter_map(|(k, v)| Some((k.to_owned(), Answer::from_stored(v.parse().ok()?)?)))
            .collect(),
        involvement: unpairs(&involvement)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<BTreeMap<_, _>>(),
        barriers: list(&row.get::<String, _>(5)),
        measures: list(&row.get::<String, _>(6)),
    }
}

async fn set_state(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrganisationId,
    review: ReviewId,
    from: &[QuestionnaireState],
    to: QuestionnaireState,
) -> Result<()> {
    let current = sqlx::query(
        "SELECT questionnaire_state FROM reviews WHERE id = $1 AND organisation_id = $2",
    )
    .bind(review.0)
    .bind(org.0)
    .fetch_optional(&mut **tx)
    .await?
    .map(|row| row.get::<String, _>(0));
    let allowed = current
        .as_deref()
        .and_then(|c| QuestionnaireState::parse(c).ok())
        .is_some_and(|c| from.contains(&c));
    if !allowed {
        return Err(StoreError::Refused(WRONG_STATE));
    }
    sqlx::query("UPDATE reviews SET questionnaire_state = $1 WHERE id = $2")
        .bind(to.as_str())
        .bind(review.0)
        .execute(&mut **tx)
        .await?;
    // Retention of the participants' names and emails counts from here.
    if to == QuestionnaireState::Closed {
        sqlx::query("UPDATE reviews SET closed_at = $1 WHERE id = $2")
            .bind(now())
            .bind(review.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// How many of a review's participants have no personal link yet.
    pub async fn uninvited_count(&self, org: OrganisationId, review: ReviewId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM participants JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 \
             AND participants.link_hash IS NULL AND participants.erased_at IS NULL",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.get(0))
    }

    /// The personal-link secrets of a review's participants by email, for seeding the demo's
    /// answers: no page or API shows them.
    pub async fn personal_link_tokens(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT participants.email, participants.link_token FROM participants \
             JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 \
             AND participants.link_token IS NOT NULL",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Opens the questionnaire (from draft, again from closed, or while open to invite people
    /// added since), records the planned close if given, and queues the job that emails everyone
    /// without a link yet, all in one transaction. The job, or `None` with nobody to invite.
    pub async fn open_questionnaire(
        &self,
        org: OrganisationId,
        review: ReviewId,
        closes_on: Option<i64>,
    ) -> Result<Option<JobId>> {
        let mut tx = self.begin_write().await?;
        set_state(
            &mut tx,
            org,
            review,
            &[
                QuestionnaireState::Draft,
                QuestionnaireState::Closed,
                QuestionnaireState::Open,
            ],
            QuestionnaireState::Open,
        )
        .await?;
        sqlx::query(
            "UPDATE reviews SET opened_at = COALESCE(opened_at, $1), closes_on = COALESCE($2, closes_on) \
             WHERE id = $3",
        )
        .bind(now())
        .bind(closes_on)
        .bind(review.0)
        .execute(&mut *tx)
        .await?;
        let uninvited: i64 = sqlx::query(
            "SELECT COUNT(*) FROM participants WHERE review_id = $1 AND link_hash IS NULL \
             AND erased_at IS NULL",
        )
        .bind(review.0)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let job = if uninvited > 0 {
            let mut job = NewJob::now(SEND_INVITATIONS, String::new()).about(org, Some(review));
            job.progress_total = uninvited;
            enqueue_job(&mut tx, &job).await?
        } else {
            None
        };
        tx.commit().await?;
        Ok(job)
    }

    /// Closes the questionnaire and mixes the answers (see the module documentation).
    pub async fn close_questionnaire(&self, org: OrganisationId, review: ReviewId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Waits for groups of answers being stored (see `submissions::hold_reviews_open`).
            sqlx::query("SELECT pg_advisory_xact_lock($1, CAST($2 AS INTEGER))::TEXT")
                .bind(crate::submissions::CLOSING_LOCKS)
                .bind(review.0)
                .fetch_one(&mut *tx)
                .await?;
        }
        set_state(
            &mut tx,
            org,
            review,
            &[QuestionnaireState::Open],
            QuestionnaireState::Closed,
        )
        .await?;
        mix(&mut tx, review.0).await?;
        let answered: i64 =
            sqlx::query("SELECT COUNT(*) FROM participants WHERE review_id = $1 AND responded = 1")
                .bind(review.0)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
        if answered > 0 {
            let mut thanks = NewJob::now(SEND_THANKS, String::new()).about(org, Some(review));
            thanks.progress_total = answered;
            enqueue_job(&mut tx, &thanks).await?;
        }
        tx.commit().await?;
        if self.backend == Backend::Postgres {
            // Remove the old row versions now rather than whenever autovacuum comes.
            sqlx::query("VACUUM responses, comments, participants")
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// Releases the results to the team; the questionnaire can never reopen afterwards.
    pub async fn release_results(&self, org: OrganisationId, review: ReviewId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        set_state(
            &mut tx,
            org,
            review,
            &[QuestionnaireState::Closed],
            QuestionnaireState::Released,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What a personal link leads to.
    pub async fn link_target(&self, token: &str) -> Result<Option<LinkTarget>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT organisations.id, organisations.name, reviews.id, reviews.title, reviews.questionnaire_state, \
             reviews.instrument_version_id, participants.profession, participants.division, participants.role_level, \
             participants.responded, organisations.min_reporting_group, {} \
             FROM participants JOIN reviews ON reviews.id = participants.review_id \
             JOIN organisations ON organisations.id = reviews.organisation_id \
             WHERE participants.link_hash = $1",
            divisions_column(self.backend)
        )))
        .bind(hash_secret(token))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let instrument = self.instrument(InstrumentVersionId(row.get(5))).await?;
        Ok((|| {
            Some(LinkTarget {
                organisation_id: OrganisationId(row.get(0)),
                organisation_name: row.get(1),
                review_id: ReviewId(row.get(2)),
                review_title: row.get(3),
                state: QuestionnaireState::parse(&row.get::<String, _>(4)).ok()?,
                instrument,
                profession: ProfessionGroup::parse(&row.get::<String, _>(6)).ok()?,
                division: row.get(7),
                role_level: RoleLevel::parse(&row.get::<String, _>(8)).ok()?,
                responded: row.get::<i64, _>(9) != 0,
                min_reporting_group: u32::try_from(row.get::<i64, _>(10)).ok()?,
                divisions: split_divisions(row.get(11)),
            })
        })())
    }

    /// Sets (or with `None` removes) a review's open link; false when `org` has no such review.
    pub async fn set_open_link(
        &self,
        org: OrganisationId,
        review: ReviewId,
        hash: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE reviews SET open_link_hash = $1 WHERE id = $2 AND organisation_id = $3",
        )
        .bind(hash)
        .bind(review.0)
        .bind(org.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether a review has an open link.
    pub async fn has_open_link(&self, org: OrganisationId, review: ReviewId) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM reviews WHERE id = $1 AND organisation_id = $2 AND open_link_hash IS NOT NULL",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.get::<i64, _>(0) == 1)
    }

    /// What an open link leads to.
    pub async fn open_link_target(&self, token: &str) -> Result<Option<OpenLinkTarget>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT organisations.id, organisations.name, reviews.title, reviews.questionnaire_state, \
             reviews.instrument_version_id, organisations.min_reporting_group, {} FROM reviews \
             JOIN organisations ON organisations.id = reviews.organisation_id \
             WHERE reviews.open_link_hash = $1",
            divisions_column(self.backend)
        )))
        .bind(hash_secret(token))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let instrument = self.instrument(InstrumentVersionId(row.get(4))).await?;
        Ok((|| {
            Some(OpenLinkTarget {
                organisation_id: OrganisationId(row.get(0)),
                organisation_name: row.get(1),
                review_title: row.get(2),
                state: QuestionnaireState::parse(&row.get::<String, _>(3)).ok()?,
                instrument,
                min_reporting_group: u32::try_from(row.get::<i64, _>(5)).ok()?,
                divisions: split_divisions(row.get(6)),
            })
        })())
    }

    /// How many answers a review has (the only figure shown while it is open).
    pub async fn response_count(&self, org: OrganisationId, review: ReviewId) -> Result<i64> {
        let row = sqlx::query("SELECT answers FROM reviews WHERE id = $1 AND organisation_id = $2")
            .bind(review.0)
            .bind(org.0)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map_or(0, |r| r.get(0)))
    }

    /// Every answer of a review, in key order (random, so no particular order).
    pub async fn responses(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<ResponseRecord>> {
        let rows = sqlx::query(
            "SELECT responses.profession, responses.division, responses.role_level, responses.answers, \
             responses.involvement, responses.barriers, responses.measures FROM responses \
             JOIN reviews ON reviews.id = responses.review_id \
             WHERE responses.review_id = $1 AND reviews.organisation_id = $2 ORDER BY responses.id",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(record_from_row).collect())
    }

    /// Every comment of a review as (prompt key, text), in key order (random).
    pub async fn comments(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT comments.prompt_key, comments.body FROM comments JOIN reviews ON reviews.id = comments.review_id \
             WHERE comments.review_id = $1 AND reviews.organisation_id = $2 ORDER BY comments.id",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

/// An answer to store: a random key, the review, the record and the date.
pub(crate) struct NewResponse<'a> {
    pub(crate) id: String,
    pub(crate) review: i64,
    pub(crate) record: &'a ResponseRecord,
    pub(crate) date: &'a str,
}

/// A comment to store, with its own random key and no link to an answer.
pub(crate) struct NewComment<'a> {
    pub(crate) id: String,
    pub(crate) review: i64,
    pub(crate) prompt: &'a str,
    pub(crate) body: &'a str,
}

/// Rows per INSERT statement: few round trips, well within both databases' parameter limits.
const ROWS_PER_INSERT: usize = 100;

/// `($1, ..., $k), ($k+1, ...)`: `rows` groups of `columns` parameters.
fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn insert_responses(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    responses: &[NewResponse<'_>],
) -> Result<()> {
    for chunk in responses.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO responses (id, review_id, submitted_on, profession, division, role_level, \
             answers, involvement, barriers, measures) VALUES {}",
            value_rows(chunk.len(), 10)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for response in chunk {
            let record = response.record;
            query = query
                .bind(response.id.as_str())
                .bind(response.review)
                .bind(response.date)
                .bind(record.profession.map(ProfessionGroup::as_str))
                .bind(record.division.as_deref())
                .bind(record.role_level.map(RoleLevel::as_str))
                .bind(pairs(
                    record
                        .answers
                        .iter()
                        .map(|(k, a)| (k, a.stored().to_string())),
                ))
                .bind(pairs(
                    record.involvement.iter().map(|(k, v)| (k, v.clone())),
                ))
                .bind(record.barriers.join(","))
                .bind(record.measures.join(","));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) async fn insert_comments(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    comments: &[NewComment<'_>],
) -> Result<()> {
    for chunk in comments.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO comments (id, review_id, prompt_key, body) VALUES {}",
            value_rows(chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for comment in chunk {
            query = query
                .bind(comment.id.as_str())
                .bind(comment.review)
                .bind(comment.prompt)
                .bind(comment.body);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Rewrites a review's answers, comments and participants in one transaction, answers and
/// comments in random order under new random keys (see the module documentation).
async fn mix(tx: &mut sqlx::Transaction<'static, sqlx::Any>, review: i64) -> Result<()> {
    let rows = sqlx::query(
        "SELECT profession, division, role_level, answers, involvement, barriers, measures, submitted_on \
         FROM responses WHERE review_id = $1",
    )
    .bind(review)
    .fetch_all(&mut **tx)
    .await?;
    let mut answers: Vec<(ResponseRecord, String)> = rows
        .iter()
        .map(|r| (record_from_row(r), r.get(7)))
        .collect();
    let rows = sqlx::query("SELECT prompt_key, body FROM comments WHERE review_id = $1")
        .bind(review)
        .fetch_all(&mut **tx)
        .await?;
    let mut comments: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    {
        let mut rng = rand::rng();
        answers.shuffle(&mut rng);
        comments.shuffle(&mut rng);
    }
    sqlx::query("DELETE FROM responses WHERE review_id = $1")
        .bind(review)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM comments WHERE review_id = $1")
        .bind(review)
        .execute(&mut **tx)
        .await?;
    let answers: Vec<NewResponse> = answers
        .iter()
        .map(|(record, date)| NewResponse {
            id: NewSecret::generate("").token,
            review,
            record,
            date,
        })
        .collect();
    insert_responses(tx, &answers).await?;
    let comments: Vec<NewComment> = comments
        .iter()
        .map(|(prompt, body)| NewComment {
            id: NewSecret::generate("").token,
            review,
            prompt,
            body,
        })
        .collect();
    insert_comments(tx, &comments).await?;
    sqlx::query("UPDATE participants SET responded = responded WHERE review_id = $1")
        .bind(review)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
