//! The limits the W1 and W2 benchmarks are compared with (bench/README.md):
//!
//! - `limits serve DATABASE_URL PORT PAGE THANKS`: the product's server stack (tokio, axum and
//!   every layer of `commonground_web::with_layers`) with one route, `/q/{token}`. GET answers
//!   with the bytes of the file PAGE; POST parses the form as the questionnaire does and, for a
//!   complete answer, answers with the bytes of THANKS. Nothing is read from or written to the
//!   database.
//! - `limits insert DATABASE_URL LINKS BODY WRITERS GROUP SECONDS`: WRITERS tasks, each storing
//!   GROUP answers (the form in the file BODY, parsed as the server parses it) per transaction
//!   through the store's own statements and connection settings, on personal links taken from
//!   the end of the file LINKS, until SECONDS pass or a link turns out to be used.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use commonground_domain::instrument::{Instrument, default_instrument};
use commonground_domain::questionnaire::{Submission, parse_submission};
use commonground_store::Store;
use commonground_store::questionnaire::Submitted;
use commonground_web::config::ConfigInput;

const USAGE: &str = "usage: limits serve DATABASE_URL PORT PAGE THANKS\n       \
                     limits insert DATABASE_URL LINKS BODY WRITERS GROUP SECONDS";

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["serve", url, port, page, thanks] => serve(url, port, page, thanks).await,
        ["insert", url, links, body, writers, group, seconds] => {
            let number = |s: &str| s.parse::<usize>().map_err(|e| format!("{s}: {e}"));
            let plan = Plan {
                writers: number(writers)?,
                group: number(group)?,
                seconds: number(seconds)? as u64,
            };
            insert(url, links, body, plan).await
        }
        _ => Err(USAGE.to_owned()),
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

/// A complete answer of the default questionnaire, from an urlencoded form.
fn parse_answer(instrument: &Instrument, body: &str) -> Result<Submission, String> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|e| format!("the form: {e}"))?;
    parse_submission(instrument, &[], &fields).map_err(|problems| format!("{problems:?}"))
}

async fn serve(url: &str, port: &str, page: &str, thanks: &str) -> Result<(), String> {
    let bind = format!("127.0.0.1:{port}");
    let config = ConfigInput {
        bind: Some(bind.clone()),
        database_url: Some(url.to_owned()),
        public_base_url: Some(format!("http://{bind}")),
        ..ConfigInput::default()
    }
    .validate()
    .map_err(|problems| problems.join("; "))?;
    let state = commonground_web::prepare(config)
        .await
        .map_err(|e| e.to_string())?;
    let (page, thanks) = (read(page)?, read(thanks)?);
    let instrument = Arc::new(default_instrument());
    let pages = Router::new().route(
        "/q/{token}",
        get(move || async move { Html(page) }).post(
            move |axum::Form(fields): axum::Form<Vec<(String, String)>>| async move {
                match parse_submission(&instrument, &[], &fields) {
                    Ok(_) => Ok(Html(thanks)),
                    Err(_) => Err(axum::http::StatusCode::UNPROCESSABLE_ENTITY),
                }
            },
        ),
    );
    let app = commonground_web::with_layers(state, pages, Router::new());
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| format!("{bind}: {e}"))?;
    commonground_web::run_until_stopped(listener, app, std::future::pending())
        .await
        .map_err(|e| e.to_string())
}

struct Plan {
    writers: usize,
    group: usize,
    seconds: u64,
}

async fn insert(url: &str, links: &str, body: &str, plan: Plan) -> Result<(), String> {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    let answer = parse_answer(&default_instrument(), &read(body)?)?;
    let tokens: Vec<String> = read(links)?
        .lines()
        .filter_map(|line| line.strip_prefix("/q/"))
        .map(str::to_owned)
        .collect();
    let tokens = Arc::new(Mutex::new(tokens));
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    let started = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..plan.writers {
        let (store, tokens, answer) = (store.clone(), tokens.clone(), answer.clone());
        writers.push(tokio::spawn(async move {
            let mut stored = 0_u32;
            while Instant::now() < deadline {
                let group: Vec<(String, Submission)> = {
                    let mut left = tokens.lock().unwrap_or_else(PoisonError::into_inner);
                    let from = left.len().saturating_sub(plan.group);
                    left.drain(from..).map(|t| (t, answer.clone())).collect()
                };
                if group.is_empty() {
                    break;
                }
                let outcomes = store
                    .submit_responses_together(group)
                    .await
                    .map_err(|e| e.to_string())?;
                for outcome in &outcomes {
                    stored += u32::from(*outcome == Submitted::Stored);
                }
                // Links the load before answered: the unused ones have run out.
                if outcomes.iter().any(|o| *o != Submitted::Stored) {
                    break;
                }
            }
            Ok::<u32, String>(stored)
        }));
    }
    let mut stored = 0_u32;
    for writer in writers {
        stored += writer.await.map_err(|e| e.to_string())??;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "bare insert: {stored} answers in {seconds:.2} s, {:.0} a second ({} writers, {} per transaction)",
        f64::from(stored) / seconds,
        plan.writers,
        plan.group
    );
    Ok(())
}
