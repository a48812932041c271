//! Live updates across instances: a captured note or a projector change on one instance reaches
//! projector pages served by every other.
//!
//! On PostgreSQL each change sends `NOTIFY` inside its own transaction, so the notice goes out
//! only if the change commits, and every instance listens on one connection of its own. A notice
//! says only which session changed ("review:session"); pages then read what is new from the
//! database, so a notice lost while reconnecting costs one refresh, never data.

use commonground_domain::ReviewId;
use sqlx::postgres::PgListener;

use crate::{Backend, Result, Store};

/// The channel name.
pub(crate) const CHANNEL: &str = "commonground_live";

/// A session whose live pages should refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionKey {
    /// The review.
    pub review: ReviewId,
    /// 1 or 2.
    pub number: u8,
}

impl SessionKey {
    /// Reads a notice's payload.
    fn parse(payload: &str) -> Option<Self> {
        let (review, number) = payload.split_once(':')?;
        Some(Self {
            review: ReviewId(review.parse().ok()?),
            number: number.parse().ok()?,
        })
    }
}

/// Notices from other instances (PostgreSQL only).
pub struct LiveListener(PgListener);

impl LiveListener {
    /// The next changed session. An error means the connection failed: the listener reconnects
    /// by itself on the next call.
    pub async fn recv(&mut self) -> Result<Option<SessionKey>> {
        let notice = self.0.recv().await?;
        Ok(SessionKey::parse(notice.payload()))
    }
}

impl Store {
    /// Listens for every instance's live changes; `None` on SQLite, which serves one instance.
    pub async fn listen_live(&self) -> Result<Option<LiveListener>> {
        let (Backend::Postgres, Some(url)) = (self.backend, self.url.as_deref()) else {
            return Ok(None);
        };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(LiveListener(listener)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        assert_eq!(
            SessionKey::parse("12:2"),
            Some(SessionKey {
                review: ReviewId(12),
                number: 2
            })
        );
        assert_eq!(SessionKey::parse("12"), None);
        assert_eq!(SessionKey::parse("x:1"), None);
    }
}
