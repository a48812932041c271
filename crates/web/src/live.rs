//! Live pages: which team session changed, told to every projector page this instance serves.
//!
//! A change is announced twice, on purpose. The handler that made it publishes to this
//! instance's [`LiveHub`] at once; on PostgreSQL the store also sends `NOTIFY` in the change's
//! transaction, and [`start_forwarding`] passes every instance's notices into its own hub. A page
//! told twice reads the session twice, which costs a query and loses nothing: a notice carries
//! no data, only which session to read again.
//!
//! Streams must end when the server stops, or graceful shutdown would wait for projectors that
//! stay open all afternoon: [`LiveHub::close`] ends every stream and the forwarder, and
//! [`closing`] calls it when the server's shutdown signal fires.

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use commonground_store::Store;
use commonground_store::live::{LiveListener, SessionKey};
use tokio::sync::{broadcast, watch};

/// Notices a slow page may fall behind by before it is told "everything changed".
const BACKLOG: usize = 256;

/// The first wait before reconnecting to PostgreSQL after the listening connection failed.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// What a live page hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// This session changed.
    Session(SessionKey),
    /// Any session may have changed: notices may have been lost while the database connection
    /// was down, so every page reads again.
    All,
}

impl Notice {
    /// Whether a page showing `key` should read again.
    #[must_use]
    pub fn concerns(self, key: SessionKey) -> bool {
        match self {
            Self::Session(changed) => changed == key,
            Self::All => true,
        }
    }
}

/// This instance's live pages: one channel carrying every session's notices, which each
/// subscriber filters (a projector cares about one session; sessions are few and changes slow).
pub struct LiveHub {
    sender: broadcast::Sender<Notice>,
    closed: watch::Sender<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    /// A hub with no listeners yet.
    #[must_use]
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        let (closed, _) = watch::channel(false);
        Self { sender, closed }
    }

    /// Tells this instance's pages that `key` changed.
    pub fn publish(&self, key: SessionKey) {
        // No page open is not a failure: nobody needed telling.
        let _ = self.sender.send(Notice::Session(key));
    }

    /// Tells every page to read again.
    fn publish_all(&self) {
        let _ = self.sender.send(Notice::All);
    }

    /// Notices from now on.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }

    /// Ends every live stream and the forwarder: the server is stopping.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Completes once the hub is closed (or dropped).
    pub fn closed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut closed = self.closed.subscribe();
        async move {
            // An error means the hub is gone, which ends streams as surely as closing.
            let _ = closed.wait_for(|c| *c).await;
        }
    }
}

/// `shutdown`, then closing `hub`: pass this as the server's shutdown future so live streams
/// end and graceful shutdown does not wait for them.
pub async fn closing(hub: Arc<LiveHub>, shutdown: impl Future<Output = ()>) {
    shutdown.await;
    hub.close();
}

/// On PostgreSQL, starts listening for every instance's notices before returning (so a server
/// that serves hears every change made after it started), then passes them into `hub` until it
/// closes, reconnecting with backoff when the connection fails. On SQLite (one instance) there is
/// nothing to listen to. A database that refuses the first connection is retried in the
/// background rather than stopping the start: pages still work, only live updates wait.
pub async fn start_forwarding(store: Store, hub: &Arc<LiveHub>) {
    let first = match store.listen_live().await {
        Ok(None) => return,
        Ok(Some(listener)) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "live notices: cannot listen yet");
            None
        }
    };
    // A weak handle: a hub dropped without closing (a test's app) must not be kept alive here.
    let weak = Arc::downgrade(hub);
    let closed = hub.closed();
    tokio::spawn(async move {
        tokio::select! {
            () = closed => {}
            () = forward(store, weak, first) => {}
        }
    });
}

async fn forward(store: Store, hub: Weak<LiveHub>, mut listener: Option<LiveListener>) {
    let mut backoff = FIRST_BACKOFF;
    let mut reconnected = false;
    loop {
        if let Some(mut listening) = listener.take() {
            if reconnected {
                // Notices sent while we were away are lost: every page reads again.
                let Some(live) = hub.upgrade() else { return };
                live.publish_all();
                tracing::info!("live notices: listening again");
            }
            backoff = FIRST_BACKOFF;
            loop {
                match listening.recv().await {
                    Ok(Some(key)) => match hub.upgrade() {
                        Some(live) => live.publish(key),
                        None => return,
                    },
                    // A payload we cannot read is somebody else's: ignore it.
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, "live notices: connection lost");
                        break;
                    }
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        reconnected = true;
        match store.listen_live().await {
            Ok(Some(again)) => listener = Some(again),
            Ok(None) => return,
            Err(error) => tracing::warn!(%error, "live notices: cannot listen"),
        }
    }
}

#[cfg(test)]
mod tests {
    use commonground_domain::ReviewId;

    use super::*;

    fn key(review: i64, number: u8) -> SessionKey {
        SessionKey {
            review: ReviewId(review),
            number,
        }
    }

    #[tokio::test]
    async fn subscribers_hear_every_session_and_pick_their_own() {
        let hub = LiveHub::new();
        let mut rx = hub.subscribe();
        hub.publish(key(1, 2));
        let notice = rx.recv().await.unwrap();
        assert!(notice.concerns(key(1, 2)));
        assert!(!notice.concerns(key(1, 1)));
        assert!(Notice::All.concerns(key(9, 1)));
    }

    #[tokio::test]
    async fn closing_completes_the_closed_future() {
        let hub = Arc::new(LiveHub::new());
        let closed = hub.closed();
        closing(hub.clone(), async {}).await;
        tokio::time::timeout(Duration::from_secs(1), closed)
            .await
            .expect("closed");
    }
}
