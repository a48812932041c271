//! Request ids: taken from `x-request-id` when a proxy sets one, otherwise made here.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Makes ids like `k3f9a1-42`: a random per-process prefix and a counter, cheap and unique.
#[derive(Clone)]
pub struct MakeId {
    prefix: String,
    counter: std::sync::Arc<AtomicU64>,
}

impl Default for MakeId {
    fn default() -> Self {
        Self {
            prefix: format!("{:08x}", rand::random::<u32>()),
            counter: std::sync::Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
