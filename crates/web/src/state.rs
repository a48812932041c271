//! What every request handler shares.

use std::sync::Arc;

use commonground_store::Store;

use crate::config::Config;

/// Shared state: the store, the configuration and the CSRF signing key.
#[derive(Clone)]
pub struct AppState {
    /// The data layer.
    pub store: Store,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Key that signs CSRF tokens (configured, or kept in the database).
    pub csrf_key: Arc<[u8]>,
    /// The API's OpenAPI document, built from the handlers at start.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// The background job runner (its workers start in `serve`; tests run it directly).
    pub jobs: commonground_jobs::Jobs,
    /// Computed results kept between requests, and how many are computed at once.
    pub results: Arc<crate::review_results::ResultsCache>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Tells this instance's live pages (projectors) which team session changed.
    pub live: Arc<crate::live::LiveHub>,
}

impl AppState {
    /// Wakes idle job workers after queueing a job, so it starts at once.
    pub fn wake_jobs(&self) {
        self.jobs.waker().notify_waiters();
    }
}
