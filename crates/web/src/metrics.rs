//! `GET /metrics`: counters for monitoring, in the Prometheus text format.
//!
//! Requests and their latency by route template (never the URI: paths carry secrets), answers
//! this instance stored, and from the database the background jobs by state and the emails by
//! delivery status. Nothing names an organisation or a person. The page answers requests from
//! this machine, or from elsewhere with the configured token; a request that came through a
//! proxy is not from this machine, whatever its address says.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// One route's requests: how many by status, and how long they took.
#[derive(Default)]
struct RouteTimings {
    statuses: BTreeMap<u16, u64>,
    /// Requests at or under each bucket's bound (not yet cumulative).
    buckets: [u64; BUCKETS.len()],
    seconds: f64,
    count: u64,
}

/// Request counts and latencies since this process started, by route template and method.
/// Keyed route first, so that counting a request finds its entry without allocating.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, BTreeMap<String, RouteTimings>>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        // A poisoned lock only means another request panicked mid-update; counts stay usable.
        let mut routes = self
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !routes.contains_key(route) {
            routes.insert(route.to_owned(), BTreeMap::new());
        }
        let Some(methods) = routes.get_mut(route) else {
            return;
        };
        if !methods.contains_key(method) {
            methods.insert(method.to_owned(), RouteTimings::default());
        }
        let Some(timings) = methods.get_mut(method) else {
            return;
        };
        *timings.statuses.entry(status).or_default() += 1;
        if let Some(bucket) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            timings.buckets[bucket] += 1;
        }
        timings.seconds += seconds;
        timings.count += 1;
    }

    /// The request counters and latency histograms, in the text format.
    fn write_requests(&self, out: &mut String) {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str(
            "# HELP commonground_http_requests_total Requests answered, by method, route and status.\n\
             # TYPE commonground_http_requests_total counter\n",
        );
        let each = || {
            routes
                .iter()
                .flat_map(|(route, methods)| methods.iter().map(move |(m, t)| (m, route, t)))
        };
        for (method, route, timings) in each() {
            for (status, count) in &timings.statuses {
                let _ = writeln!(
                    out,
                    "commonground_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    label(route)
                );
            }
        }
        out.push_str(
            "# HELP commonground_http_request_duration_seconds Time to answer, by method and route.\n\
             # TYPE commonground_http_request_duration_seconds histogram\n",
        );
        for (method, route, timings) in each() {
            let labels = format!("method=\"{method}\",route=\"{}\"", label(route));
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(timings.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "commonground_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "commonground_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 commonground_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 commonground_http_request_duration_seconds_count{{{labels}}} {}",
                timings.count, timings.seconds, timings.count
            );
        }
    }
}

/// A label value with the text format's escapes.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Times every request and counts it under its route template.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A shared handle on the router's own string, not a copy.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    state.metrics.record(
        method.as_str(),
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Whether the caller may read the metrics: the configured token, or a direct connection
/// from this machine.
fn may_read(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let (Some(sent), Some(token)) = (bearer, &state.config.metrics_token) {
        return same_secret(sent.as_bytes(), token.expose().as_bytes());
    }
    let proxied = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    peer.ip().is_loopback() && !proxied
}

/// Compares in time that depends only on the length, so guesses learn nothing from timing.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// `GET /metrics`
pub async fn show_metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if !may_read(&state, peer, &headers) {
        return Err(AppError::Forbidden);
    }
    let counts = state.store.operational_counts().await?;
    let mut out = String::with_capacity(8 * 1024);
    state.metrics.write_requests(&mut out);
    let _ = writeln!(
        out,
        "# HELP commonground_submissions_stored_total Questionnaire answers this instance stored.\n\
         # TYPE commonground_submissions_stored_total counter\n\
         commonground_submissions_stored_total {}\n\
         # HELP commonground_jobs Background jobs by state (failed: gave up after retrying).\n\
         # TYPE commonground_jobs gauge",
        state.store.submissions_stored()
    );
    for (job_state, count) in &counts.jobs {
        let _ = writeln!(
            out,
            "commonground_jobs{{state=\"{}\"}} {count}",
            label(job_state)
        );
    }
    let _ = writeln!(
        out,
        "# HELP commonground_jobs_due Queued jobs whose time has come: the queue's depth.\n\
         # TYPE commonground_jobs_due gauge\n\
         commonground_jobs_due {}\n\
         # HELP commonground_emails Stored emails by delivery status (sent, rejected, failed...).\n\
         # TYPE commonground_emails gauge",
        counts.due_jobs
    );
    for (status, count) in &counts.emails {
        let _ = writeln!(
            out,
            "commonground_emails{{status=\"{}\"}} {count}",
            label(status)
        );
    }
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labels_escaped() {
        let metrics = Metrics::default();
        metrics.record("GET", "/q/{token}", 200, 0.003);
        metrics.record("GET", "/q/{token}", 404, 20.0);
        metrics.record("POST", "/a\"b", 303, 0.0);
        let mut out = String::new();
        metrics.write_requests(&mut out);
        assert!(out.contains(
            "commonground_http_requests_total{method=\"GET\",route=\"/q/{token}\",status=\"404\"} 1"
        ));
        assert!(out.contains("route=\"/a\\\"b\""));
        assert!(out.contains(
            "commonground_http_request_duration_seconds_bucket{method=\"GET\",route=\"/q/{token}\",le=\"0.005\"} 1"
        ));
        assert!(out.contains(
            "commonground_http_request_duration_seconds_bucket{method=\"GET\",route=\"/q/{token}\",le=\"10\"} 1"
        ));
        assert!(out.contains(
            "commonground_http_request_duration_seconds_bucket{method=\"GET\",route=\"/q/{token}\",le=\"+Inf\"} 2"
        ));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
