//! Personal data under UK GDPR: deleting the names and email addresses of a closed review's
//! participants once the organisation's retention period has passed, erasing one person's
//! data on request, and exporting what is held about one person.
//!
//! Answers are never touched and never exported: they carry no link to anyone (see the
//! questionnaire module), so deleting a person cannot delete, and exporting cannot reveal,
//! what they answered. An erased participant row keeps only what the group counts need
//! (profession, role level, division, whether they answered).

use commonground_domain::{EmailAddress, OrganisationId, ReviewId, UserId};
use sqlx::Row;

use crate::{Result, Store, now};

/// An average Gregorian month, in seconds.
pub const MONTH_SECONDS: i64 = 2_629_746;

/// What erasing a participant leaves: no name, an address that cannot receive mail, no link,
/// and a reason that keeps every mailing away. `$1` is the time; the caller adds the rows.
const ERASE_PARTICIPANTS: &str = "UPDATE participants SET name = 'Deleted', \
     email = 'deleted-' || id || '@erased.invalid', link_token = NULL, \
     email_problem = 'Personal data deleted', erased_at = $1 WHERE erased_at IS NULL AND ";

/// Emails to participants hold their names and links: they go with the people.
const DELETE_PARTICIPANT_EMAILS: &str = "DELETE FROM outbox WHERE participant_id IN \
     (SELECT id FROM participants WHERE ";

/// Date poll guests (peer reviewers, facilitators) carry their own name and address: they go
/// with the review's people, and so do emails to them; every poll link of the review stops.
/// `$1` is the review.
const ERASE_POLL_GUESTS: [&str; 3] = [
    "DELETE FROM outbox WHERE to_email IN (SELECT guest_email FROM poll_invitees \
     JOIN date_polls ON date_polls.id = poll_invitees.poll_id WHERE date_polls.review_id = $1) \
     AND organisation_id = (SELECT organisation_id FROM reviews WHERE id = $1)",
    "UPDATE poll_invitees SET guest_name = 'Deleted', guest_email = NULL, link_token = NULL, \
     link_hash = 'erased-' || id \
     WHERE participant_id IS NULL \
     AND poll_id IN (SELECT id FROM date_polls WHERE review_id = $1)",
    "UPDATE poll_invitees SET link_token = NULL, link_hash = 'erased-' || id \
     WHERE participant_id IS NOT NULL \
     AND poll_id IN (SELECT id FROM date_polls WHERE review_id = $1)",
];

/// A review whose participants' personal data the retention rule deleted.
#[derive(Debug, Clone)]
pub struct ExpiredReview {
    /// Its organisation.
    pub organisation: OrganisationId,
    /// The review.
    pub review: ReviewId,
    /// Its title.
    pub title: String,
    /// Participants whose names and emails were deleted.
    pub participants: u64,
}

/// What erasing one person removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Participant records whose name and email were deleted.
    pub participants: u64,
    /// Stored emails deleted.
    pub emails: u64,
    /// Invitations to join the organisation deleted.
    pub invitations: u64,
    /// Whether their membership (roles) of the organisation ended.
    pub membership: bool,
    /// Whether their account was deleted (it belonged to no other organisation).
    pub account: bool,
}

/// Everything held about one person within one organisation.
#[derive(Debug, Clone, Default)]
pub struct PersonRecords {
    /// Their account, if they have one and belong to the organisation.
    pub account: Option<AccountRecord>,
    /// Reviews they were asked to answer.
    pub participations: Vec<ParticipationRecord>,
    /// Invitations to join the organisation.
    pub invitations: Vec<InvitationRecord>,
    /// Emails stored for them.
    pub emails: Vec<EmailRecord>,
    /// Audit entries about them.
    pub audit: Vec<AuditRecord>,
}

/// An account, as exported.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// When the account was made.
    pub created_at: i64,
    /// Their roles in the organisation (stored form).
    pub roles: Vec<String>,
    /// How many signed-in sessions they have now.
    pub sessions: i64,
    /// API tokens they hold (names only).
    pub api_tokens: Vec<String>,
}

/// A participant record, as exported: whether they answered, never what.
#[derive(Debug, Clone)]
pub struct ParticipationRecord {
    /// The review's title.
    pub review: String,
    /// Their name as given.
    pub name: String,
    /// Profession group (stored form).
    pub profession: String,
    /// Role level (stored form).
    pub role_level: String,
    /// Division, if given.
    pub division: Option<String>,
    /// When they were added.
    pub added_at: i64,
    /// When they were first invited, if yet.
    pub invited_at: Option<i64>,
    /// Whether they answered.
    pub answered: bool,
}

/// An invitation, as exported.
#[derive(Debug, Clone)]
pub struct InvitationRecord {
    /// Roles offered (stored form, comma separated).
    pub roles: String,
    /// When it was sent.
    pub created_at: i64,
    /// Whether it was accepted.
    pub accepted: bool,
}

/// A stored email, as exported (its text, which the person received).
#[derive(Debug, Clone)]
pub struct EmailRecord {
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// When it was stored.
    pub created_at: i64,
    /// Delivery status.
    pub status: String,
}

/// An audit entry about the person.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// What happened.
    pub action: String,
    /// Details.
    pub detail: String,
    /// When.
    pub at: i64,
}

impl Store {
    /// Deletes the names and emails of participants of reviews whose questionnaire closed more
    /// than their organisation's retention period before `now`, and the emails sent to them.
    /// Each review is one transaction, recorded in its organisation's audit log.
    pub async fn delete_expired_personal_data(&self, now: i64) -> Result<Vec<ExpiredReview>> {
        let due = sqlx::query(
            "SELECT reviews.id, reviews.organisation_id, reviews.title FROM reviews \
             JOIN organisations ON organisations.id = reviews.organisation_id \
             WHERE reviews.questionnaire_state IN ('closed', 'released') \
             AND reviews.personal_data_deleted_at IS NULL AND reviews.closed_at IS NOT NULL \
             AND reviews.closed_at + organisations.retention_months * $1 <= $2 \
             ORDER BY reviews.id",
        )
        .bind(MONTH_SECONDS)
        .bind(now)
        .fetch_all(&self.reader)
        .await?;
        let mut done = Vec::new();
        for row in due {
            let review = ReviewId(row.get(0));
            let organisation = OrganisationId(row.get(1));
            let title: String = row.get(2);
            let mut tx = self.begin_write().await?;
            // Only if still due: another instance may have done this review meanwhile.
            let claimed = sqlx::query(
                "UPDATE reviews SET personal_data_deleted_at = $1 \
                 WHERE id = $2 AND personal_data_deleted_at IS NULL",
            )
            .bind(now)
            .bind(review.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                continue;
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{DELETE_PARTICIPANT_EMAILS}review_id = $1)"
            )))
            .bind(review.0)
            .execute(&mut *tx)
            .await?;
            for statement in ERASE_POLL_GUESTS {
                sqlx::query(statement)
                    .bind(review.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let participants = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{ERASE_PARTICIPANTS}review_id = $2"
            )))
            .bind(now)
            .bind(review.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            crate::audit::insert(
                &mut *tx,
                &crate::audit::NewAuditEvent {
                    organisation,
                    actor: None,
                    action: crate::audit::RETENTION_DELETED,
                    subject: None,
                    detail: &format!(
                        "{title}: names and email addresses of {participants} participants"
                    ),
                },
            )
            .await?;
            tx.commit().await?;
            done.push(ExpiredReview {
                organisation,
                review,
                title,
                participants,
            });
        }
        Ok(done)
    }

    /// Everything `org` holds about the person with `email`.
    pub async fn person_records(
        &self,
        org: OrganisationId,
        email: &EmailAddress,
    ) -> Result<PersonRecords> {
        let address = email.as_str();
        let participations = sqlx::query(
            "SELECT reviews.title, participants.name, participants.profession, \
             participants.role_level, participants.division, participants.created_at, \
             participants.invited_at, participants.responded FROM participants \
             JOIN reviews ON reviews.id = participants.review_id \
             WHERE reviews.organisation_id = $1 AND participants.email = $2 \
             ORDER BY participants.id",
        )
        .bind(org.0)
        .bind(address)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| ParticipationRecord {
            review: row.get(0),
            name: row.get(1),
            profession: row.get(2),
            role_level: row.get(3),
            division: row.get(4),
            added_at: row.get(5),
            invited_at: row.get(6),
            answered: row.get::<i64, _>(7) != 0,
        })
        .collect();
        let invitations = sqlx::query(
            "SELECT roles, created_at, accepted_at FROM invitations \
             WHERE organisation_id = $1 AND email = $2 ORDER BY id",
        )
        .bind(org.0)
        .bind(address)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| InvitationRecord {
            roles: row.get(0),
            created_at: row.get(1),
            accepted: row.get::<Option<i64>, _>(2).is_some(),
        })
        .collect();
        let emails = sqlx::query(
            "SELECT subject, body_text, created_at, status FROM outbox \
             WHERE organisation_id = $1 AND to_email = $2 ORDER BY id",
        )
        .bind(org.0)
        .bind(address)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| EmailRecord {
            subject: row.get(0),
            body: row.get(1),
            created_at: row.get(2),
            status: row.get(3),
        })
        .collect();
        let audit = sqlx::query(
            "SELECT action, detail, at FROM audit_events \
             WHERE organisation_id = $1 AND subject = $2 ORDER BY id",
        )
        .bind(org.0)
        .bind(address)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| AuditRecord {
            action: row.get(0),
            detail: row.get(1),
            at: row.get(2),
        })
        .collect();
        Ok(PersonRecords {
            account: self.account_record(org, address).await?,
            participations,
            invitations,
            emails,
            audit,
        })
    }

    /// `email`'s account, if they belong to `org`.
    async fn account_record(
        &self,
        org: OrganisationId,
        address: &str,
    ) -> Result<Option<AccountRecord>> {
        let Some(row) = sqlx::query(
            "SELECT users.id, users.name, users.email, users.created_at FROM users \
             JOIN memberships ON memberships.user_id = users.id \
             WHERE users.email = $1 AND memberships.organisation_id = $2 LIMIT 1",
        )
        .bind(address)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let user = UserId(row.get(0));
        let roles = self
            .roles_in(org, user)
            .await?
            .into_iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        let sessions: i64 = sqlx::query("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(&self.reader)
            .await?
            .get(0);
        let api_tokens = self
            .list_api_tokens(user)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect();
        Ok(Some(AccountRecord {
            name: row.get(1),
            email: row.get(2),
            created_at: row.get(3),
            roles,
            sessions,
            api_tokens,
        }))
    }

    /// Erases the person with `email` from `org`, in one transaction: their participant
    /// records lose name and email, emails to them and invitations for them are deleted, their
    /// roles end, audit entries about them forget whom, and their account goes unless another
    /// organisation has them or they are a network admin.
    pub async fn erase_person(&self, org: OrganisationId, email: &EmailAddress) -> Result<Erased> {
        let address = email.as_str();
        let at = now();
        let mut tx = self.begin_write().await?;
        let in_org =
            "email = $2 AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $3)";
        let mut erased = Erased {
            emails: sqlx::query("DELETE FROM outbox WHERE organisation_id = $1 AND to_email = $2")
                .bind(org.0)
                .bind(address)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            ..Erased::default()
        };
        erased.participants =
            sqlx::query(sqlx::AssertSqlSafe(format!("{ERASE_PARTICIPANTS}{in_org}")))
                .bind(at)
                .bind(address)
                .bind(org.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        // A guest of a date poll goes with their answers; a participant's poll link stops.
        sqlx::query(
            "DELETE FROM poll_invitees WHERE guest_email = $1 AND poll_id IN \
             (SELECT date_polls.id FROM date_polls JOIN reviews ON reviews.id = date_polls.review_id \
             WHERE reviews.organisation_id = $2)",
        )
        .bind(address)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE poll_invitees SET link_token = NULL, link_hash = 'erased-' || id \
             WHERE participant_id IN (SELECT id FROM participants WHERE erased_at = $1 \
             AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $2))",
        )
        .bind(at)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        erased.invitations =
            sqlx::query("DELETE FROM invitations WHERE organisation_id = $1 AND email = $2")
                .bind(org.0)
                .bind(address)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        sqlx::query(
            "UPDATE audit_events SET subject = 'an erased person' \
             WHERE organisation_id = $1 AND subject = $2",
        )
        .bind(org.0)
        .bind(address)
        .execute(&mut *tx)
        .await?;
        let user = sqlx::query("SELECT id, is_network_admin FROM users WHERE email = $1")
            .bind(address)
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| (UserId(row.get(0)), row.get::<i64, _>(1) != 0));
        if let Some((user, network_admin)) = user {
            erased.membership =
                sqlx::query("DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2")
                    .bind(org.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
            let elsewhere: i64 = sqlx::query("SELECT COUNT(*) FROM memberships WHERE user_id = $1")
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            // Sessions, tokens and resets go with the account (ON DELETE CASCADE).
            if erased.membership && elsewhere == 0 && !network_admin {
                sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                erased.account = true;
            }
        }
        tx.commit().await?;
        Ok(erased)
    }
}
