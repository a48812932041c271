//! commonground's HTTP server: pages, the JSON API and the layers around them.
//!
//! The app is a library: [`start`] builds it on any listener with a shutdown future, so the
//! integration tests run the real server on port 0, and `main` stays thin.

pub mod api;
pub mod assets;
pub mod audit;
pub mod charts;
pub mod config;
pub mod cookies;
pub use commonground_domain::dates;
pub mod demo;
pub mod demo_reviews;
pub mod demo_sessions;
pub mod emails;
pub mod error;
pub mod extractors;
pub mod forms;
pub mod health;
pub mod inputs;
pub mod invitations;
pub mod live;
pub mod mailing_status;
pub mod metrics;
pub mod middleware;
pub mod pages;
pub mod participant_input;
pub mod passwords;
pub mod poll_input;
pub mod questionnaire_actions;
pub mod review_emails;
pub mod review_input;
pub mod review_results;
pub mod router;
pub mod scheduling;
pub mod sessions;
pub mod sign_in;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use commonground_store::Store;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::config::Config;
use crate::state::AppState;

/// The largest request body accepted (forms and JSON); larger ones get 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Results computed at the same time, at most (see `review_results::ResultsCache`).
const RESULTS_AT_ONCE: usize = 2;

/// Connects to the database, applies migrations and prepares shared state.
pub async fn prepare(config: Config) -> Result<AppState, commonground_store::StoreError> {
    // Validation has already checked these settings, so this cannot fail.
    let mailer = config
        .smtp
        .as_ref()
        .and_then(|smtp| commonground_jobs::mailer::Mailer::new(smtp).ok());
    let store = Store::connect(config.database_url.expose())
        .await?
        .with_smtp_delivery(mailer.is_some());
    store.migrate().await?;
    let csrf_key: Arc<[u8]> = match &config.session_secret {
        Some(secret) => secret.expose().as_bytes().into(),
        None => store.instance_secret("csrf_key").await?.into_bytes().into(),
    };
    // The questionnaire shipped with this release is stored once, so organisations can list,
    // adapt and choose it before any review exists.
    let instrument = commonground_domain::instrument::default_instrument();
    store
        .shipped_instrument_version(
            &instrument.id,
            instrument.version,
            &instrument.title,
            &instrument.to_toml(),
        )
        .await?;
    let (_, _, openapi) = router::routes();
    let jobs = commonground_jobs::Jobs::new(
        store.clone(),
        mailer,
        &config.public_base_url,
        config.job_lease_seconds,
    );
    let live = Arc::new(live::LiveHub::new());
    live::start_forwarding(store.clone(), &live).await;
    Ok(AppState {
        live,
        jobs,
        store,
        config: Arc::new(config),
        csrf_key,
        openapi: Arc::new(openapi),
        results: Arc::new(review_results::ResultsCache::new(RESULTS_AT_ONCE)),
        metrics: Arc::new(metrics::Metrics::default()),
    })
}

/// The whole app with its layers.
pub fn app(state: AppState) -> Router {
    let (pages, api, _) = router::routes();
    with_layers(state, pages, api)
}

/// `pages` and `api` behind every layer the app has (CSRF on pages; tracing, metrics, body limit, error
/// pages, security headers, panic catching and request ids on both). The benchmarks' limit
/// server puts its own routes here, so it measures the same stack.
pub fn with_layers(state: AppState, pages: Router<AppState>, api: Router<AppState>) -> Router {
    let pages = pages.layer(from_fn_with_state(state.clone(), middleware::csrf::protect));
    let traced = pages
        .merge(api)
        .layer(from_fn_with_state(state.clone(), metrics::count_requests))
        .layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request<_>| {
                // The route template, never the URI: paths can carry invitation secrets.
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", axum::extract::MatchedPath::as_str);
                let id = request
                    .extensions()
                    .get::<RequestId>()
                    .and_then(|id| id.header_value().to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), route, request_id = id)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
    );
    traced
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(from_fn(middleware::errors::render_errors))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::headers::security_headers,
        ))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(
            middleware::request_id::MakeId::default(),
        ))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, finishing requests in flight. Live
/// streams never finish by themselves: pass a shutdown wrapped in [`live::closing`] so they end.
pub async fn run_until_stopped(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
