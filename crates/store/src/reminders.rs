//! Reminder schedules, planned close dates, and the daily record of response rates that the
//! scheduler keeps while a questionnaire is open.

use commonground_domain::dates::iso_date;
use commonground_domain::participants::ProfessionGroup;
use commonground_domain::reminders::ReminderSchedule;
use commonground_domain::review::QuestionnaireState;
use commonground_domain::{OrganisationId, ReviewId};
use sqlx::Row;

use crate::{Result, Store, now};

/// An open questionnaire, as the reminder scheduler sees it.
#[derive(Debug, Clone)]
pub struct OpenReview {
    /// Its organisation.
    pub organisation: OrganisationId,
    /// The review.
    pub review: ReviewId,
    /// When it first opened.
    pub opened_at: i64,
    /// The planned close.
    pub closes_on: Option<i64>,
    /// When reminders go.
    pub schedule: ReminderSchedule,
}

/// Response rates on one day: (group, answered, invited) per group, "All" first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatesOnDay {
    /// "2026-12-01".
    pub day: String,
    /// Group name, answered, invited.
    pub groups: Vec<(String, i64, i64)>,
}

/// The groups the history keeps, named as the response-rate panel names them.
fn side_name(profession: &str) -> &'static str {
    use commonground_domain::participants::Side;
    match ProfessionGroup::parse(profession).map(ProfessionGroup::side) {
        Ok(Side::Clinical) => "Clinical",
        Ok(Side::Finance) => "Finance",
        _ => "Management and other",
    }
}

impl Store {
    /// Every open questionnaire with its schedule.
    pub async fn open_reviews(&self) -> Result<Vec<OpenReview>> {
        let rows = sqlx::query(
            "SELECT organisation_id, id, opened_at, closes_on, reminder_schedule FROM reviews \
             WHERE questionnaire_state = $1 AND opened_at IS NOT NULL",
        )
        .bind(QuestionnaireState::Open.as_str())
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| OpenReview {
                organisation: OrganisationId(row.get(0)),
                review: ReviewId(row.get(1)),
                opened_at: row.get(2),
                closes_on: row.get(3),
                schedule: ReminderSchedule::from_stored(&row.get::<String, _>(4)),
            })
            .collect())
    }

    /// A review's reminder schedule and planned close.
    pub async fn reminder_settings(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Option<(ReminderSchedule, Option<i64>)>> {
        let row = sqlx::query(
            "SELECT reminder_schedule, closes_on FROM reviews WHERE id = $1 AND organisation_id = $2",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|row| {
            (
                ReminderSchedule::from_stored(&row.get::<String, _>(0)),
                row.get(1),
            )
        }))
    }

    /// Saves a review's reminder schedule and planned close; false when `org` has no such review.
    pub async fn set_reminder_settings(
        &self,
        org: OrganisationId,
        review: ReviewId,
        schedule: &ReminderSchedule,
        closes_on: Option<i64>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE reviews SET reminder_schedule = $1, closes_on = $2 WHERE id = $3 AND organisation_id = $4",
        )
        .bind(schedule.to_stored())
        .bind(closes_on)
        .bind(review.0)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records today's response rates of a review by side (and in all): counts only.
    pub async fn record_response_rates(&self, review: ReviewId) -> Result<()> {
        let rows = sqlx::query(
            "SELECT profession, COUNT(*), CAST(SUM(responded) AS BIGINT) FROM participants \
             WHERE review_id = $1 AND link_hash IS NOT NULL GROUP BY profession",
        )
        .bind(review.0)
        .fetch_all(&self.reader)
        .await?;
        let mut groups: Vec<(&str, i64, i64)> = vec![("All", 0, 0)];
        for row in &rows {
            let name = side_name(&row.get::<String, _>(0));
            let (invited, answered): (i64, i64) = (row.get(1), row.get(2));
            groups[0].1 += answered;
            groups[0].2 += invited;
            match groups.iter_mut().find(|g| g.0 == name) {
                Some(group) => {
                    group.1 += answered;
                    group.2 += invited;
                }
                None => groups.push((name, answered, invited)),
            }
        }
        let day = iso_date(now());
        let mut tx = self.begin_write().await?;
        for (name, answered, invited) in groups {
            sqlx::query(
                "INSERT INTO response_rate_history (review_id, day, group_name, answered, invited) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (review_id, day, group_name) \
                 DO UPDATE SET answered = excluded.answered, invited = excluded.invited",
            )
            .bind(review.0)
            .bind(&day)
            .bind(name)
            .bind(answered)
            .bind(invited)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A review's response rates by day, oldest first.
    pub async fn response_rate_history(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<RatesOnDay>> {
        let rows = sqlx::query(
            "SELECT history.day, history.group_name, history.answered, history.invited \
             FROM response_rate_history history JOIN reviews ON reviews.id = history.review_id \
             WHERE history.review_id = $1 AND reviews.organisation_id = $2 \
             ORDER BY history.day, CASE history.group_name WHEN 'All' THEN 0 ELSE 1 END, history.group_name",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        let mut days: Vec<RatesOnDay> = Vec::new();
        for row in &rows {
            let day: String = row.get(0);
            if days.last().is_none_or(|d| d.day != day) {
                days.push(RatesOnDay {
                    day,
                    groups: Vec::new(),
                });
            }
            if let Some(last) = days.last_mut() {
                last.groups.push((row.get(1), row.get(2), row.get(3)));
            }
        }
        Ok(days)
    }
}
