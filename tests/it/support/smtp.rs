//! A real SMTP server for the tests, on a port of its own: it speaks the protocol over TCP to
//! the product's SMTP client and keeps what arrives. It can refuse chosen recipients (550), and
//! pause (stop answering) to catch the product in the middle of a conversation.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The subject, decoded.
    pub subject: String,
    /// The plain-text part, decoded.
    pub text: String,
    /// The HTML part, decoded.
    pub html: String,
    /// The Message-ID header.
    pub message_id: String,
}

#[derive(Default)]
struct Inner {
    messages: Vec<Received>,
    refused: HashSet<String>,
    pause_after: Option<usize>,
}

/// The server; it stops when dropped with the test's runtime.
#[derive(Clone)]
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
}

/// A free port with nothing listening on it (for "the mail server is down").
pub async fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address").port()
}

impl SmtpSink {
    /// Starts on a free port.
    pub async fn start() -> SmtpSink {
        Self::start_on(0).await
    }

    /// Starts on `port` (0 for any).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind SMTP");
        let sink = SmtpSink {
            port: listener.local_addr().expect("address").port(),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let inner = sink.inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inner = inner.clone();
                tokio::spawn(async move {
                    let _ = converse(stream, inner).await;
                });
            }
        });
        sink
    }

    /// Refuses mail for `address` at RCPT with 550, as a server does for an unknown mailbox.
    pub fn refuse(&self, address: &str) {
        self.lock().refused.insert(address.to_lowercase());
    }

    /// Stops answering once `count` messages have arrived, until [`Self::resume`].
    pub fn pause_after(&self, count: usize) {
        self.lock().pause_after = Some(count);
    }

    /// Answers again.
    pub fn resume(&self) {
        self.lock().pause_after = None;
    }

    /// Every message so far.
    pub fn messages(&self) -> Vec<Received> {
        self.lock().messages.clone()
    }

    /// Waits (at most `seconds`) until `count` messages have arrived; returns them all.
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let messages = self.messages();
            if messages.len() >= count || tokio::time::Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn paused(inner: &Mutex<Inner>) -> bool {
    let inner = inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    inner
        .pause_after
        .is_some_and(|after| inner.messages.len() >= after)
}

async fn converse(stream: TcpStream, inner: Arc<Mutex<Inner>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        while paused(&inner) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "MAIL" | "RSET" => {
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                let address = command
                    .split_once('<')
                    .and_then(|(_, rest)| rest.split_once('>'))
                    .map(|(a, _)| a.to_lowercase())
                    .unwrap_or_default();
                let refused = inner
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .refused
                    .contains(&address);
                if refused {
                    b"550 5.1.1 No such user here\r\n"
                } else {
                    to.push(address);
                    b"250 OK\r\n"
                }
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        // The client went away mid-message: nothing was accepted.
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.extend_from_slice(unstuffed.as_bytes());
                }
                let received = parse(&data, std::mem::take(&mut to));
                inner
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .messages
                    .push(received);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"500 Command not recognised\r\n",
        };
        write.write_all(reply).await?;
    }
}

fn parse(data: &[u8], to: Vec<String>) -> Received {
    let mail = mailparse::parse_mail(data).expect("a MIME message");
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(mailparse::MailHeader::get_value)
            .unwrap_or_default()
    };
    let part = |kind: &str| {
        mail.subparts
            .iter()
            .find(|p| p.ctype.mimetype == kind)
            .and_then(|p| p.get_body().ok())
            .unwrap_or_default()
    };
    Received {
        to,
        subject: header("Subject"),
        message_id: header("Message-ID"),
        text: part("text/plain"),
        html: part("text/html"),
    }
}
