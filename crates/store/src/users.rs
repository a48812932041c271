//! People with accounts.

use commonground_domain::{EmailAddress, PersonName, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, conflict_as, now};

/// A person with an account, without their password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Their id.
    pub id: UserId,
    /// Lower-case email, unique.
    pub email: String,
    /// Name as they want it shown.
    pub name: String,
    /// Operates the whole instance.
    pub is_network_admin: bool,
    /// When the account was made.
    pub created_at: i64,
}

/// A user with the stored password hash, for signing in.
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The argon2 PHC string, if a password was ever set.
    pub password_hash: Option<String>,
}

pub(crate) fn user_from_row(row: &AnyRow) -> User {
    User {
        id: UserId(row.get(0)),
        email: row.get(1),
        name: row.get(2),
        is_network_admin: row.get::<i64, _>(3) != 0,
        created_at: row.get(4),
    }
}

impl Store {
    /// Creates an account; the email must not be in use.
    pub async fn create_user(
        &self,
        email: &EmailAddress,
        name: &PersonName,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let user = insert_user(&mut tx, email, name, password_hash).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The account with this email, with its password hash.
    pub async fn find_credentials(&self, email: &EmailAddress) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at, \
             users.password_hash FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|row| Credentials {
            user: user_from_row(&row),
            password_hash: row.get(5),
        }))
    }

    /// The account with this id.
    pub async fn get_user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query("SELECT users.id, users.email, users.name, users.is_network_admin, users.created_at FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.as_ref().map(user_from_row))
    }

    /// The account with this email.
    pub async fn find_user_by_email(&self, email: &EmailAddress) -> Result<Option<User>> {
        Ok(self.find_credentials(email).await?.map(|c| c.user))
    }

    /// Changes the name shown for a user.
    pub async fn set_user_name(&self, id: UserId, name: &PersonName) -> Result<()> {
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name.as_str())
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Sets a new password hash and signs the user out everywhere except `keep_session`.
    pub async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants or withdraws the network admin role.
    pub async fn set_network_admin(&self, id: UserId, on: bool) -> Result<()> {
        sqlx::query("UPDATE users SET is_network_admin = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

pub(crate) async fn insert_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    email: &EmailAddress,
    name: &PersonName,
    password_hash: Option<&str>,
) -> Result<User> {
    let created_at = now();
    let row = sqlx::query(
        "INSERT INTO users (email, name, password_hash, is_network_admin, created_at) \
         VALUES ($1, $2, $3, 0, $4) RETURNING id",
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(password_hash)
    .bind(created_at)
    .fetch_one(&mut **tx)
    .await
    .map_err(conflict_as("an account with this email"))?;
    Ok(User {
        id: UserId(row.get(0)),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        is_network_admin: false,
        created_at,
    })
}
