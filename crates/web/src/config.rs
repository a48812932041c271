//! Typed configuration: defaults, then a TOML file, then environment variables, then flags.
//!
//! Every setting is documented in `.env.example`. Validation happens once, at start, and lists
//! every problem at once so an operator can fix them in one go.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use commonground_domain::MinReportingGroup;
use serde::Deserialize;

/// Settings that may come from the file, the environment or flags; all optional until merged.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigInput {
    /// Address to listen on.
    pub bind: Option<String>,
    /// `sqlite://FILE` or `postgres://...`.
    pub database_url: Option<String>,
    /// The address people use to reach the service, for links in emails.
    pub public_base_url: Option<String>,
    /// Key for signing CSRF tokens; generated and kept in the database when absent.
    pub session_secret: Option<String>,
    /// Minimum reporting group for new organisations.
    pub default_min_reporting_group: Option<i64>,
}

impl ConfigInput {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            format!(
                "the configuration file {} is not valid: {e}",
                path.display()
            )
        })
    }

    /// Reads `COMMONGROUND_*` variables through `lookup` (the process environment in production).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let min = match lookup("COMMONGROUND_DEFAULT_MIN_REPORTING_GROUP") {
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                format!(
                    "COMMONGROUND_DEFAULT_MIN_REPORTING_GROUP must be a whole number, not {v:?}"
                )
            })?),
            None => None,
        };
        Ok(Self {
            bind: lookup("COMMONGROUND_BIND"),
            database_url: lookup("COMMONGROUND_DATABASE_URL"),
            public_base_url: lookup("COMMONGROUND_PUBLIC_BASE_URL"),
            session_secret: lookup("COMMONGROUND_SESSION_SECRET"),
            default_min_reporting_group: min,
        })
    }

    /// Values set in `over` win over ours.
    #[must_use]
    pub fn overlay(self, over: ConfigInput) -> ConfigInput {
        ConfigInput {
            bind: over.bind.or(self.bind),
            database_url: over.database_url.or(self.database_url),
            public_base_url: over.public_base_url.or(self.public_base_url),
            session_secret: over.session_secret.or(self.session_secret),
            default_min_reporting_group: over
                .default_min_reporting_group
                .or(self.default_min_reporting_group),
        }
    }

    /// Fills defaults and checks every value.
    pub fn validate(self) -> Result<Config, Vec<String>> {
        let mut problems = Vec::new();
        let bind_text = self.bind.unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_text.parse::<SocketAddr>().map_err(|_| {
            problems.push(format!(
                "bind address {bind_text:?} is not an address and port, like 127.0.0.1:8080"
            ));
        });
        let database_url = self
            .database_url
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            problems.push(
                "database URL must start with sqlite:// (a file) or postgres:// (a server)".into(),
            );
        }
        let public_base_url = self.public_base_url.map_or_else(
            || match &bind {
                Ok(addr) => format!("http://{addr}"),
                Err(()) => String::new(),
            },
            |url| url.trim_end_matches('/').to_owned(),
        );
        if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://"))
            || public_base_url.contains(char::is_whitespace)
        {
            problems.push(format!(
                "public base URL {public_base_url:?} must start with http:// or https://"
            ));
        }
        if let Some(secret) = &self.session_secret
            && secret.len() < 32
        {
            problems.push("session secret must be at least 32 characters long".into());
        }
        let min = match self.default_min_reporting_group {
            None => Ok(MinReportingGroup::DEFAULT),
            Some(n) => MinReportingGroup::new(n).map_err(|e| {
                problems.push(format!("default minimum reporting group: {e}"));
            }),
        };
        match (bind, min) {
            (Ok(bind), Ok(default_min_reporting_group)) if problems.is_empty() => Ok(Config {
                bind,
                secure_cookies: public_base_url.starts_with("https://"),
                database_url: Redacted(database_url),
                public_base_url,
                session_secret: self.session_secret.map(Redacted),
                default_min_reporting_group,
            }),
            _ => Err(problems),
        }
    }
}

/// Where `serve` listens unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The embedded database unless told otherwise: a file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://commonground.sqlite3";

/// The validated configuration, passed to the app (there are no globals).
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Database URL; may hold a password, so it is redacted in logs.
    pub database_url: Redacted,
    /// Base for links in emails, without a trailing slash.
    pub public_base_url: String,
    /// Configured CSRF signing key, if any.
    pub session_secret: Option<Redacted>,
    /// Minimum reporting group for new organisations.
    pub default_min_reporting_group: MinReportingGroup,
    /// Whether cookies carry `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

/// A string that prints as `[redacted]`.
#[derive(Clone)]
pub struct Redacted(pub String);

impl Redacted {
    /// The secret value.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let config = ConfigInput::default().validate().unwrap();
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert_eq!(config.public_base_url, "http://127.0.0.1:8080");
        assert!(!config.secure_cookies);
    }

    #[test]
    fn reports_every_problem() {
        let input = ConfigInput {
            bind: Some("nowhere".into()),
            database_url: Some("mysql://x".into()),
            public_base_url: Some("ftp://x".into()),
            session_secret: Some("short".into()),
            default_min_reporting_group: Some(2),
        };
        let problems = input.validate().unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
    }

    #[test]
    fn environment_overrides_file() {
        let file = ConfigInput {
            bind: Some("127.0.0.1:1".into()),
            ..ConfigInput::default()
        };
        let env =
            ConfigInput::from_env(|k| (k == "COMMONGROUND_BIND").then(|| "127.0.0.1:2".into()))
                .unwrap();
        assert_eq!(file.overlay(env).bind.as_deref(), Some("127.0.0.1:2"));
        assert!(
            ConfigInput::from_env(
                |k| (k == "COMMONGROUND_DEFAULT_MIN_REPORTING_GROUP").then(|| "x".into())
            )
            .is_err()
        );
        let secret = Redacted("s".repeat(40));
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
