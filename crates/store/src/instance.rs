//! Values generated once per installation and shared by all of its instances.

use sqlx::Row;

use crate::{NewSecret, Result, Store};

impl Store {
    /// The stored value called `name`, generating a random secret the first time.
    pub async fn instance_secret(&self, name: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO instance_settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(NewSecret::generate("").token)
        .execute(&self.writer)
        .await?;
        let row = sqlx::query("SELECT value FROM instance_settings WHERE name = $1")
            .bind(name)
            .fetch_one(&self.writer)
            .await?;
        Ok(row.get(0))
    }
}
