//! Who belongs to an organisation, and in which roles.
//!
//! An organisation always keeps at least one organisation admin: without one nobody could manage
//! its members, so changes that would remove the last are refused.

use commonground_domain::{OrganisationId, Role, RoleSet, UserId};
use sqlx::Row;

use crate::users::User;
use crate::{Result, Store, StoreError, now};

/// A member with their roles.
#[derive(Debug, Clone)]
pub struct Member {
    /// The person.
    pub user: User,
    /// Their roles in this organisation, sorted.
    pub roles: Vec<Role>,
}

/// Why a membership change was refused.
pub const LAST_ADMIN: &str = "an organisation must keep at least one organisation admin";

pub(crate) async fn insert_role(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrganisationId,
    user: UserId,
    role: Role,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (organisation_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(org.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn admin_count(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrganisationId,
) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND role = $2")
            .bind(org.0)
            .bind(Role::OrgAdmin.as_str())
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.get(0))
}

impl Store {
    /// The roles `user` holds in `org` (empty when not a member).
    pub async fn roles_in(&self, org: OrganisationId, user: UserId) -> Result<Vec<Role>> {
        let rows =
            sqlx::query("SELECT role FROM memberships WHERE organisation_id = $1 AND user_id = $2")
                .bind(org.0)
                .bind(user.0)
                .fetch_all(&self.reader)
                .await?;
        let mut roles: Vec<Role> = rows
            .iter()
            .filter_map(|row| Role::parse(&row.get::<String, _>(0)).ok())
            .collect();
        roles.sort();
        Ok(roles)
    }

    /// Every member of `org` with their roles, by name.
    pub async fn list_members(&self, org: OrganisationId) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at, memberships.role \
             FROM memberships JOIN users ON users.id = memberships.user_id \
             WHERE memberships.organisation_id = $1 ORDER BY users.name, users.id, memberships.role",
        )
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        let mut members: Vec<Member> = Vec::new();
        for row in &rows {
            let user = crate::users::user_from_row(row);
            let Ok(role) = Role::parse(&row.get::<String, _>(5)) else {
                continue;
            };
            match members.last_mut() {
                Some(last) if last.user.id == user.id => last.roles.push(role),
                _ => members.push(Member {
                    user,
                    roles: vec![role],
                }),
            }
        }
        for member in &mut members {
            member.roles.sort();
        }
        Ok(members)
    }

    /// Replaces a member's roles; false when `user` is not a member of `org`.
    pub async fn set_member_roles(
        &self,
        org: OrganisationId,
        user: UserId,
        roles: &RoleSet,
    ) -> Result<bool> {
        self.replace_roles(org, user, roles.roles()).await
    }

    /// Adds roles to `user` in `org`, keeping those they hold (network admins adding themselves).
    pub async fn add_member_roles(
        &self,
        org: OrganisationId,
        user: UserId,
        roles: &RoleSet,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for &role in roles.roles() {
            insert_role(&mut tx, org, user, role).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes `user` from `org`; false when they were not a member.
    pub async fn remove_member(&self, org: OrganisationId, user: UserId) -> Result<bool> {
        self.replace_roles(org, user, &[]).await
    }

    /// Replaces the roles of a member (none: removes them), keeping an organisation admin.
    async fn replace_roles(
        &self,
        org: OrganisationId,
        user: UserId,
        roles: &[Role],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let removed =
            sqlx::query("DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2")
                .bind(org.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        if removed.rows_affected() == 0 {
            return Ok(false);
        }
        for &role in roles {
            insert_role(&mut tx, org, user, role).await?;
        }
        if admin_count(&mut tx, org).await? == 0 {
            return Err(StoreError::Refused(LAST_ADMIN));
        }
        tx.commit().await?;
        Ok(true)
    }
}
