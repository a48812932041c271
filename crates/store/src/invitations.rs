//! Invitations to join an organisation, sent as a personal link that works once, for 14 days.
//!
//! Accepting is a single conditional UPDATE, so a link used twice, or twice at once, admits
//! one person once.

use commonground_domain::{
    EmailAddress, InvitationId, OrganisationId, PersonName, RoleSet, UserId,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::outbox::OutgoingEmail;
use crate::users::User;
use crate::{Result, Store, StoreError, hash_secret, now};

/// How long an invitation link works.
pub const INVITATION_SECONDS: i64 = 14 * 24 * 60 * 60;

/// Why an invitation link no longer works.
pub const INVITATION_UNUSABLE: &str =
    "this invitation has already been used, was cancelled or has expired";

/// An invitation as stored.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The organisation it admits to.
    pub organisation_id: OrganisationId,
    /// That organisation's name.
    pub organisation_name: String,
    /// Who it was sent to.
    pub email: String,
    /// Roles granted on acceptance.
    pub roles: RoleSet,
    /// When it was sent.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
    /// When it was accepted, if it was.
    pub accepted_at: Option<i64>,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<i64>,
}

impl Invitation {
    /// Whether the link can still be used.
    #[must_use]
    pub fn is_pending(&self) -> bool {
        self.accepted_at.is_none() && self.cancelled_at.is_none() && self.expires_at > now()
    }
}

const COLUMNS: &str = "invitations.id, invitations.organisation_id, organisations.name, invitations.email, \
     invitations.roles, invitations.created_at, invitations.expires_at, invitations.accepted_at, \
     invitations.cancelled_at";

fn invitation_from_row(row: &AnyRow) -> Invitation {
    let roles: String = row.get(4);
    Invitation {
        id: InvitationId(row.get(0)),
        organisation_id: OrganisationId(row.get(1)),
        organisation_name: row.get(2),
        email: row.get(3),
        // Stored role lists were checked on the way in; an unreadable one grants nothing extra.
        roles: RoleSet::parse(roles.split(','))
            .unwrap_or_else(|_| RoleSet::parse(["board_viewer"]).expect("known role")),
        created_at: row.get(5),
        expires_at: row.get(6),
        accepted_at: row.get(7),
        cancelled_at: row.get(8),
    }
}

fn roles_text(roles: &RoleSet) -> String {
    roles
        .roles()
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// Records an invitation (cancelling any earlier pending one to the same person) and queues
    /// its email in the same transaction.
    pub async fn create_invitation(
        &self,
        org: OrganisationId,
        email: &EmailAddress,
        roles: &RoleSet,
        invited_by: UserId,
        token_hash: &str,
        message: &OutgoingEmail,
    ) -> Result<InvitationId> {
        let mut tx = self.begin_write().await?;
        let now = now();
        sqlx::query(
            "UPDATE invitations SET cancelled_at = $1 WHERE organisation_id = $2 AND email = $3 \
             AND accepted_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(org.0)
        .bind(email.as_str())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO invitations (organisation_id, email, roles, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.0)
        .bind(email.as_str())
        .bind(roles_text(roles))
        .bind(token_hash)
        .bind(invited_by.0)
        .bind(now)
        .bind(now + INVITATION_SECONDS)
        .fetch_one(&mut *tx)
        .await?;
        self.queue_email(&mut tx, message, None).await?;
        tx.commit().await?;
        Ok(InvitationId(row.get(0)))
    }

    /// The invitation a link's token names, whatever its state.
    pub async fn find_invitation(&self, token: &str) -> Result<Option<Invitation>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM invitations JOIN organisations ON organisations.id = invitations.organisation_id \
             WHERE invitations.token_hash = $1"
        )))
        .bind(hash_secret(token))
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(invitation_from_row))
    }

    /// An organisation's invitations still waiting for an answer, newest first.
    pub async fn list_pending_invitations(&self, org: OrganisationId) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM invitations JOIN organisations ON organisations.id = invitations.organisation_id \
             WHERE invitations.organisation_id = $1 AND invitations.accepted_at IS NULL \
             AND invitations.cancelled_at IS NULL AND invitations.expires_at > $2 ORDER BY invitations.id DESC"
        )))
        .bind(org.0)
        .bind(now())
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(invitation_from_row).collect())
    }

    /// Cancels a pending invitation; false when `org` has no such pending invitation.
    pub async fn cancel_invitation(&self, org: OrganisationId, id: InvitationId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE invitations SET cancelled_at = $1 WHERE id = $2 AND organisation_id = $3 \
             AND accepted_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(now())
        .bind(id.0)
        .bind(org.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Accepts an invitation by creating the invitee's account.
    pub async fn accept_invitation_with_new_account(
        &self,
        token: &str,
        name: &PersonName,
        password_hash: &str,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let invitation = claim(&mut tx, token).await?;
        let email = EmailAddress::parse(&invitation.email)
            .map_err(|_| StoreError::Refused(INVITATION_UNUSABLE))?;
        let user = crate::users::insert_user(&mut tx, &email, name, Some(password_hash)).await?;
        for &role in invitation.roles.roles() {
            crate::members::insert_role(&mut tx, invitation.organisation_id, user.id, role).await?;
        }
        crate::reviews::link_invited_champion(
            &mut tx,
            invitation.organisation_id,
            &invitation.email,
            user.id,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Accepts an invitation for an existing account.
    pub async fn accept_invitation_as(&self, token: &str, user: UserId) -> Result<OrganisationId> {
        let mut tx = self.begin_write().await?;
        let invitation = claim(&mut tx, token).await?;
        for &role in invitation.roles.roles() {
            crate::members::insert_role(&mut tx, invitation.organisation_id, user, role).await?;
        }
        crate::reviews::link_invited_champion(
            &mut tx,
            invitation.organisation_id,
            &invitation.email,
            user,
        )
        .await?;
        tx.commit().await?;
        Ok(invitation.organisation_id)
    }
}

/// Marks the invitation accepted if it is still pending, in the caller's transaction.
async fn claim(tx: &mut sqlx::Transaction<'static, sqlx::Any>, token: &str) -> Result<Invitation> {
    let now = now();
    let hash = hash_secret(token);
    let done = sqlx::query(
        "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2 AND accepted_at IS NULL \
         AND cancelled_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(INVITATION_UNUSABLE));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invitations JOIN organisations ON organisations.id = invitations.organisation_id \
         WHERE invitations.token_hash = $1"
    )))
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await?;
    Ok(invitation_from_row(&row))
}
