//! Typed configuration: defaults, then a TOML file, then environment variables, then flags.
//!
//! Every setting is documented in `.env.example`. Validation happens once, at start, and lists
//! every problem at once so an operator can fix them in one go.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use commonground_domain::MinReportingGroup;
use commonground_jobs::mailer::{Security, SmtpSettings};
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
    /// SMTP server host; without it emails stay in the outbox.
    pub smtp_host: Option<String>,
    /// SMTP port (default 587 for STARTTLS, 465 for TLS, 25 for none).
    pub smtp_port: Option<i64>,
    /// `starttls` (default), `tls` or `none`.
    pub smtp_security: Option<String>,
    /// SMTP user name, if the server needs one.
    pub smtp_username: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<String>,
    /// The sender of every email, such as `commonground <noreply@trust.nhs.uk>`.
    pub email_from: Option<String>,
    /// Seconds a background job's claim lasts before another instance may take it over.
    pub job_lease_seconds: Option<i64>,
    /// Bearer token that lets a monitoring server read `/metrics` from another machine.
    pub metrics_token: Option<String>,
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
        let number = |name: &str| match lookup(name) {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("{name} must be a whole number, not {v:?}")),
            None => Ok(None),
        };
        Ok(Self {
            bind: lookup("COMMONGROUND_BIND"),
            database_url: lookup("COMMONGROUND_DATABASE_URL"),
            public_base_url: lookup("COMMONGROUND_PUBLIC_BASE_URL"),
            session_secret: lookup("COMMONGROUND_SESSION_SECRET"),
            default_min_reporting_group: number("COMMONGROUND_DEFAULT_MIN_REPORTING_GROUP")?,
            smtp_host: lookup("COMMONGROUND_SMTP_HOST"),
            smtp_port: number("COMMONGROUND_SMTP_PORT")?,
            smtp_security: lookup("COMMONGROUND_SMTP_SECURITY"),
            smtp_username: lookup("COMMONGROUND_SMTP_USERNAME"),
            smtp_password: lookup("COMMONGROUND_SMTP_PASSWORD"),
            email_from: lookup("COMMONGROUND_EMAIL_FROM"),
            job_lease_seconds: number("COMMONGROUND_JOB_LEASE_SECONDS")?,
            metrics_token: lookup("COMMONGROUND_METRICS_TOKEN"),
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
            smtp_host: over.smtp_host.or(self.smtp_host),
            smtp_port: over.smtp_port.or(self.smtp_port),
            smtp_security: over.smtp_security.or(self.smtp_security),
            smtp_username: over.smtp_username.or(self.smtp_username),
            smtp_password: over.smtp_password.or(self.smtp_password),
            email_from: over.email_from.or(self.email_from),
            job_lease_seconds: over.job_lease_seconds.or(self.job_lease_seconds),
            metrics_token: over.metrics_token.or(self.metrics_token),
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
        if let Some(token) = &self.metrics_token
            && (token.len() < 32 || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            problems.push(
                "metrics token must be at least 32 characters, without spaces or accents".into(),
            );
        }
        let min = match self.default_min_reporting_group {
            None => Ok(MinReportingGroup::DEFAULT),
            Some(n) => MinReportingGroup::new(n).map_err(|e| {
                problems.push(format!("default minimum reporting group: {e}"));
            }),
        };
        let job_lease_seconds = self.job_lease_seconds.unwrap_or(DEFAULT_JOB_LEASE_SECONDS);
        if !(5..=3_600).contains(&job_lease_seconds) {
            problems.push("job lease must be from 5 to 3600 seconds".into());
        }
        let smtp = smtp_settings(
            SmtpInput {
                host: self.smtp_host,
                port: self.smtp_port,
                security: self.smtp_security,
                username: self.smtp_username,
                password: self.smtp_password,
                from: self.email_from,
            },
            &mut problems,
        );
        match (bind, min) {
            (Ok(bind), Ok(default_min_reporting_group)) if problems.is_empty() => Ok(Config {
                bind,
                secure_cookies: public_base_url.starts_with("https://"),
                database_url: Redacted(database_url),
                public_base_url,
                session_secret: self.session_secret.map(Redacted),
                default_min_reporting_group,
                smtp,
                job_lease_seconds,
                metrics_token: self.metrics_token.map(Redacted),
            }),
            _ => Err(problems),
        }
    }
}

/// The SMTP settings as given, before checking.
struct SmtpInput {
    host: Option<String>,
    port: Option<i64>,
    security: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

/// Checks the SMTP settings: none at all means the outbox is the delivery; a host needs a
/// from-address, a user name needs a password, and the rest must be readable.
fn smtp_settings(input: SmtpInput, problems: &mut Vec<String>) -> Option<SmtpSettings> {
    let Some(host) = input.host.filter(|h| !h.trim().is_empty()) else {
        if input.from.is_some() || input.username.is_some() || input.port.is_some() {
            problems.push("SMTP settings are given without an SMTP host".into());
        }
        return None;
    };
    let security = match input.security.as_deref() {
        None => Some(Security::StartTls),
        Some(text) => Security::parse(text).or_else(|| {
            problems.push(format!(
                "SMTP security {text:?} must be starttls, tls or none"
            ));
            None
        }),
    }?;
    let default_port = match security {
        Security::StartTls => 587,
        Security::Tls => 465,
        Security::None => 25,
    };
    let port = match u16::try_from(input.port.unwrap_or(default_port)) {
        Ok(port) if port > 0 => port,
        _ => {
            problems.push("SMTP port must be from 1 to 65535".into());
            return None;
        }
    };
    let credentials = match (input.username, input.password) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        _ => {
            problems.push("SMTP user name and password must be given together".into());
            return None;
        }
    };
    let Some(from) = input.from else {
        problems.push("an SMTP host needs a from-address (COMMONGROUND_EMAIL_FROM)".into());
        return None;
    };
    let settings = SmtpSettings {
        host: host.trim().to_owned(),
        port,
        security,
        credentials,
        from,
        timeout: std::time::Duration::from_secs(15),
    };
    if let Err(problem) = commonground_jobs::mailer::Mailer::check(&settings) {
        problems.push(problem);
        return None;
    }
    Some(settings)
}

/// Seconds a job's claim lasts unless configured.
pub const DEFAULT_JOB_LEASE_SECONDS: i64 = 60;

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
    /// The SMTP server, if emails are delivered rather than kept in the outbox.
    pub smtp: Option<SmtpSettings>,
    /// Seconds a background job's claim lasts.
    pub job_lease_seconds: i64,
    /// Token that lets a monitoring server read `/metrics` from elsewhere than this machine.
    pub metrics_token: Option<Redacted>,
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
            smtp_host: Some("smtp.example.nhs.uk".into()),
            smtp_security: Some("ssl".into()),
            job_lease_seconds: Some(1),
            metrics_token: Some("too short".into()),
            ..ConfigInput::default()
        };
        let problems = input.validate().unwrap_err();
        assert_eq!(problems.len(), 8, "{problems:?}");
    }

    #[test]
    fn smtp_needs_a_from_address_and_defaults_its_port() {
        let input = |from: Option<&str>, security: Option<&str>| ConfigInput {
            smtp_host: Some("smtp.example.nhs.uk".into()),
            email_from: from.map(str::to_owned),
            smtp_security: security.map(str::to_owned),
            ..ConfigInput::default()
        };
        let problems = input(None, None).validate().unwrap_err();
        assert!(problems[0].contains("from-address"), "{problems:?}");
        let bad_from = input(Some("not an address"), None).validate().unwrap_err();
        assert!(bad_from[0].contains("not valid"), "{bad_from:?}");
        let tls = input(Some("Service <noreply@example.nhs.uk>"), Some("TLS"))
            .validate()
            .unwrap();
        let smtp = tls.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (465, Security::Tls));
        assert!(ConfigInput::default().validate().unwrap().smtp.is_none());
        let orphan = ConfigInput {
            smtp_username: Some("user".into()),
            ..ConfigInput::default()
        };
        assert!(orphan.validate().is_err());
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
