//! Sending one stored email over SMTP with lettre: multipart, plain text and HTML.

use std::time::Duration;

use commonground_store::outbox::OutboxMessage;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncTransport, Message, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587; NHSmail's relay).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl Security {
    /// Reads `starttls`, `tls` or `none`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }
}

/// Where and how to send email.
#[derive(Clone)]
pub struct SmtpSettings {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Connection security.
    pub security: Security,
    /// User name and password, if the server wants them.
    pub credentials: Option<(String, String)>,
    /// The sender, such as `commonground <noreply@trust.nhs.uk>`.
    pub from: String,
    /// How long to wait for the server at each step.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "[redacted]"),
            )
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The server refused the recipient for good (or the address cannot be used): do not retry.
    Rejected(String),
    /// Anything that may pass: the server is down, busy, or misconfigured. Retry later.
    Retry(String),
}

/// Sends stored messages through one SMTP server, over a small pool of connections.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

impl Mailer {
    /// Checks `settings` without connecting or starting anything; an error names what is wrong.
    pub fn check(settings: &SmtpSettings) -> Result<(), String> {
        Self::builder(settings).map(|_| ())
    }

    /// A mailer for `settings` (inside the async runtime: the connection pool starts with it).
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let (builder, from) = Self::builder(settings)?;
        let host = from.email.domain().to_owned();
        Ok(Self {
            transport: builder.build(),
            from,
            host,
        })
    }

    fn builder(
        settings: &SmtpSettings,
    ) -> Result<(lettre::transport::smtp::AsyncSmtpTransportBuilder, Mailbox), String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("the from-address {:?} is not valid: {e}", settings.from))?;
        let builder = match settings.security {
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| format!("SMTP host {:?}: {e}", settings.host))?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| format!("SMTP host {:?}: {e}", settings.host))?,
            Security::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(settings.timeout))
            .pool_config(PoolConfig::new().max_size(4));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok((builder, from))
    }

    /// Sends one message. The Message-ID is the same on every try, so a receiving system that
    /// removes duplicates can.
    pub async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let to: Mailbox = message.to.parse().map_err(|_| {
            SendError::Rejected("this is not an email address that can be used".into())
        })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.as_str())
            .message_id(Some(format!(
                "<{}.{}@{}>",
                message.id, message.created_at, self.host
            )))
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| SendError::Retry(format!("cannot build the message: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() && refuses_recipient(&e) => {
                Err(SendError::Rejected(e.to_string()))
            }
            Err(e) => Err(SendError::Retry(e.to_string())),
        }
    }
}

/// Whether a permanent failure is about the recipient's mailbox (550 no such user, 551 not
/// local, 553 name not allowed), not the server's set-up, which an operator can fix.
fn refuses_recipient(e: &lettre::transport::smtp::Error) -> bool {
    e.status()
        .is_some_and(|code| matches!(code.to_string().as_str(), "550" | "551" | "553"))
}
