//! Sending one stored email over SMTP with lettre: multipart, plain text and HTML.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use commonground_store::outbox::OutboxMessage;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The message body: plain text and HTML, and with a calendar file both an inline
/// `text/calendar` part (which Outlook and Gmail turn into an invitation with its buttons) and an
/// `invite.ics` attachment (for calendars that only import files).
fn body(message: &OutboxMessage) -> MultiPart {
    let text_and_html =
        MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
    let Some(calendar) = &message.calendar else {
        return text_and_html;
    };
    let method = calendar
        .lines()
        .find_map(|line| line.strip_prefix("METHOD:"))
        .unwrap_or("PUBLISH")
        .trim()
        .to_owned();
    let inline = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
        .unwrap_or(ContentType::TEXT_PLAIN);
    let file = ContentType::parse("application/ics").unwrap_or(ContentType::TEXT_PLAIN);
    MultiPart::mixed()
        .multipart(
            text_and_html.singlepart(SinglePart::builder().header(inline).body(calendar.clone())),
        )
        .singlepart(Attachment::new("invite.ics".to_owned()).body(calendar.clone(), file))
}

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

/// Sends stored messages through one SMTP server, keeping a few connections open between
/// messages.
///
/// The connections are our own rather than lettre's pooled transport so that they can turn off
/// Nagle's algorithm: lettre writes a message's body and its closing dot separately, and with
/// Nagle on the dot waits for the server's delayed acknowledgement, 40 ms a message.
#[derive(Clone)]
pub struct Mailer {
    settings: Arc<SmtpSettings>,
    from: Mailbox,
    host: String,
    hello: ClientId,
    idle: Arc<Mutex<Vec<AsyncSmtpConnection>>>,
}

/// Connections kept open between messages (one per worker).
const IDLE_CONNECTIONS: usize = 4;

impl Mailer {
    /// Checks `settings` without connecting; an error names what is wrong.
    pub fn check(settings: &SmtpSettings) -> Result<(), String> {
        Self::new(settings).map(|_| ())
    }

    /// A mailer for `settings`; it connects when it first sends.
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("the from-address {:?} is not valid: {e}", settings.from))?;
        if settings.host.is_empty() || settings.host.contains(char::is_whitespace) {
            return Err(format!("SMTP host {:?} is not a host name", settings.host));
        }
        if settings.security != Security::None {
            ServerName::try_from(settings.host.clone())
                .map_err(|e| format!("SMTP host {:?}: {e}", settings.host))?;
        }
        Ok(Self {
            settings: Arc::new(settings.clone()),
            host: from.email.domain().to_owned(),
            from,
            hello: ClientId::default(),
            idle: Arc::new(Mutex::new(Vec::new())),
        })
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
            .multipart(body(message))
            .map_err(|e| SendError::Retry(format!("cannot build the message: {e}")))?;
        // Each step waits at most the timeout; a server that stalls costs a retry, not a worker.
        let mut connection = tokio::time::timeout(self.settings.timeout, self.connection())
            .await
            .map_err(|_| SendError::Retry("the SMTP server did not answer in time".into()))?
            .map_err(|e| SendError::Retry(format!("cannot reach the SMTP server: {e}")))?;
        let sent = tokio::time::timeout(
            self.settings.timeout,
            connection.send(email.envelope(), &email.formatted()),
        )
        .await
        .map_err(|_| SendError::Retry("the SMTP server did not answer in time".into()))?;
        match sent {
            Ok(_) => {
                self.keep(connection);
                Ok(())
            }
            Err(e) if e.is_permanent() && refuses_recipient(&e) => {
                Err(SendError::Rejected(e.to_string()))
            }
            Err(e) => Err(SendError::Retry(e.to_string())),
        }
    }

    /// An open connection that still answers, or a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, String> {
        loop {
            let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match kept {
                Some(mut connection) => {
                    if connection.test_connected().await {
                        return Ok(connection);
                    }
                    connection.abort().await;
                }
                None => return self.connect().await,
            }
        }
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_CONNECTIONS
        {
            idle.push(connection);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let settings = &*self.settings;
        let tcp = tokio::time::timeout(
            settings.timeout,
            TcpStream::connect((settings.host.as_str(), settings.port)),
        )
        .await
        .map_err(|_| "the connection timed out".to_owned())?
        .map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let stream: Box<dyn AsyncTokioStream> = match settings.security {
            Security::Tls => Box::new(
                TlsFromStart::connect(&settings.host, tcp)
                    .await
                    .map_err(|e| format!("TLS: {e}"))?,
            ),
            Security::StartTls | Security::None => Box::new(tcp),
        };
        let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(|e| e.to_string())?;
        if settings.security == Security::StartTls {
            let tls = TlsParameters::new(settings.host.clone()).map_err(|e| e.to_string())?;
            connection
                .starttls(tls, &self.hello)
                .await
                .map_err(|e| format!("STARTTLS: {e}"))?;
        }
        if let Some((user, password)) = &settings.credentials {
            connection
                .auth(
                    &[Mechanism::Plain, Mechanism::Login],
                    &Credentials::new(user.clone(), password.clone()),
                )
                .await
                .map_err(|e| format!("signing in: {e}"))?;
        }
        Ok(connection)
    }
}

/// A TLS connection from the first byte (port 465), in the form lettre takes an existing
/// stream.
#[derive(Debug)]
struct TlsFromStart(tokio_rustls::client::TlsStream<TcpStream>);

impl TlsFromStart {
    async fn connect(host: &str, tcp: TcpStream) -> std::io::Result<Self> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = ServerName::try_from(host.to_owned()).map_err(std::io::Error::other)?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await?;
        Ok(Self(stream))
    }
}

impl AsyncRead for TlsFromStart {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsFromStart {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsFromStart {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Whether a permanent failure is about the recipient's mailbox (550 no such user, 551 not
/// local, 553 name not allowed), not the server's set-up, which an operator can fix.
fn refuses_recipient(e: &lettre::transport::smtp::Error) -> bool {
    e.status()
        .is_some_and(|code| matches!(code.to_string().as_str(), "550" | "551" | "553"))
}
