//! Facilitation mode: the projector page of a team session, its controls, the note takers'
//! link, removing a note, and the stream that tells open projector pages to read again.
//!
//! Every control is a plain form that posts and comes back (303), so the page works without
//! JavaScript; the `projector` script only submits the same forms from the keyboard and swaps
//! the live part in place when the stream says the session changed.

use std::convert::Infallible;
use std::pin::Pin;
use std::time::Duration;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use commonground_domain::session_plan::AgendaItem;
use commonground_store::live::SessionKey;
use commonground_store::team_sessions::TeamSession;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::projector::{self, Control, LiveInput, LivePart};
use super::{Chrome, invalid, ok, see_other};
use crate::error::AppResult;
use crate::extractors::{Form, NoteInPath, ReviewRunner, SessionNumber, SignedIn};
use crate::forms::FormErrors;
use crate::live::Notice;
use crate::review_results;
use crate::sessions::{self, Card};
use crate::state::AppState;

/// How long one live stream lasts before it ends and the browser opens another, which checks
/// again that the viewer may still see the session (they may have signed out or lost the role).
const STREAM_LIFETIME: Duration = Duration::from_mins(30);

/// How often an idle stream sends a comment, so proxies do not close it as dead.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A card in the "Choose a card" list.
pub struct CardOption {
    id: String,
    title: String,
    selected: bool,
}

/// A group of the "Choose a card" list.
pub struct CardGroup {
    label: &'static str,
    cards: Vec<CardOption>,
}

/// The facilitation page.
#[derive(Template)]
#[template(path = "pages/facilitate.html")]
pub struct FacilitatePage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    number: u8,
    session_path: String,
    live: LivePart,
    card_groups: Vec<CardGroup>,
    minutes: String,
    timer_running: bool,
    capture_link: Option<String>,
    has_capture_link: bool,
}

/// Everything the page is made from, read once per request.
struct Loaded {
    session: TeamSession,
    agenda: Vec<AgendaItem>,
    deck: Vec<Card>,
}

/// What the page shows besides the session: errors and the user's input, or a new link.
#[derive(Default)]
struct Extras {
    errors: FormErrors,
    card: Option<String>,
    minutes: Option<String>,
    capture_link: Option<String>,
}

fn session_path(runner: &ReviewRunner<SignedIn>, number: u8) -> String {
    format!(
        "/organisations/{}/reviews/{}/sessions/{number}",
        runner.member.org.id, runner.review.id
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

async fn load(state: &AppState, runner: &ReviewRunner<SignedIn>, number: u8) -> AppResult<Loaded> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let [first, second] = state.store.team_sessions(org, review).await?;
    let session = if number == 1 { first } else { second };
    let (plan, _) = sessions::plan(state, org, review, number).await?;
    let deck = sessions::deck(state, org).await?;
    Ok(Loaded {
        session,
        agenda: plan.agenda,
        deck,
    })
}

async fn live_part(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    number: u8,
    loaded: &Loaded,
) -> AppResult<LivePart> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let notes = state.store.capture_items(org, review, number, None).await?;
    // Only what the results pages may show: nothing before the questionnaire closes, and
    // only anonymity-checked figures after.
    let results = review_results::load(state, &runner.member.org, &runner.review).await?;
    Ok(projector::live_part(
        LiveInput {
            session: &loaded.session,
            agenda: &loaded.agenda,
            deck: &loaded.deck,
            notes,
            results: &results,
            now: now(),
        },
        session_path(runner, number),
        runner.member.caller.session.csrf_token.clone(),
    ))
}

async fn page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    number: u8,
    extras: Extras,
) -> AppResult<FacilitatePage> {
    let loaded = load(state, runner, number).await?;
    let live = live_part(state, runner, number, &loaded).await?;
    let chosen = extras
        .card
        .or_else(|| loaded.session.current_card.clone())
        .unwrap_or_default();
    let group = |kind: &str, own: bool| {
        loaded
            .deck
            .iter()
            .filter(|c| c.kind == kind && c.own == own)
            .map(|c| CardOption {
                id: c.id.clone(),
                title: c.title.clone(),
                selected: c.id == chosen,
            })
            .collect::<Vec<_>>()
    };
    let card_groups = vec![
        CardGroup {
            label: "Scenario cards",
            cards: group("scenario", false),
        },
        CardGroup {
            label: "Factor prompt cards",
            cards: group("prompt", false),
        },
        CardGroup {
            label: "Your organisation's scenario cards",
            cards: group("scenario", true),
        },
        CardGroup {
            label: "Your organisation's prompt cards",
            cards: group("prompt", true),
        },
    ]
    .into_iter()
    .filter(|g| !g.cards.is_empty())
    .collect();
    // The timer starts from the agenda step's own length unless the facilitator typed another.
    let minutes = extras.minutes.unwrap_or_else(|| {
        live.step
            .as_ref()
            .map_or_else(|| "10".to_owned(), |s| s.minutes.to_string())
    });
    let title = format!("Session {number}: facilitation");
    Ok(FacilitatePage {
        chrome: Chrome::with_errors(&runner.member.caller.session, title, &extras.errors),
        errors: extras.errors,
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        number,
        session_path: session_path(runner, number),
        timer_running: live.timer.minutes_left > 0,
        live,
        card_groups,
        minutes,
        capture_link: extras.capture_link,
        has_capture_link: loaded.session.has_capture_link,
    })
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/facilitate`; with
/// `?part=live`, only the live part, for scripts to swap in.
pub async fn show_facilitation(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    if query.as_deref() == Some("part=live") {
        let loaded = load(&state, &runner, number).await?;
        return Ok(ok(live_part(&state, &runner, number, &loaded).await?));
    }
    Ok(ok(page(&state, &runner, number, Extras::default()).await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/facilitate`
pub async fn update_facilitation(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let loaded = load(&state, &runner, number).await?;
    let control = Control {
        action: form.get("action"),
        card: form.get("card"),
        minutes: form.get("minutes"),
    };
    match projector::apply(
        &control,
        &loaded.session,
        &loaded.deck,
        loaded.agenda.len(),
        now(),
    ) {
        Ok(next) => {
            sessions::set_projector(
                &state,
                runner.member.org.id,
                runner.review.id,
                number,
                &next,
            )
            .await?;
            Ok(see_other(&format!(
                "{}/facilitate",
                session_path(&runner, number)
            )))
        }
        Err(errors) => {
            let extras = Extras {
                errors,
                card: Some(control.card.to_owned()).filter(|c| !c.is_empty()),
                minutes: Some(control.minutes.to_owned()).filter(|m| !m.is_empty()),
                capture_link: None,
            };
            Ok(invalid(page(&state, &runner, number, extras).await?))
        }
    }
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-link`: a new
/// note takers' link, shown once on the page this answers with (only its hash is kept).
pub async fn create_capture_link(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    _form: Form,
) -> AppResult<Response> {
    let secret = commonground_store::NewSecret::generate("cgn_");
    let (org, review) = (runner.member.org.id, runner.review.id);
    if !state
        .store
        .set_capture_link(org, review, number, &secret.hash)
        .await?
    {
        return Err(crate::error::AppError::NotFound);
    }
    let link = format!("{}/capture/{}", state.config.public_base_url, secret.token);
    let extras = Extras {
        capture_link: Some(link),
        ..Extras::default()
    };
    Ok(ok(page(&state, &runner, number, extras).await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture/{item_id}/remove`:
/// back to the page the note was removed from.
pub async fn delete_capture_note(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    NoteInPath(item): NoteInPath,
    form: Form,
) -> AppResult<Response> {
    sessions::remove_note(&state, runner.member.org.id, runner.review.id, number, item).await?;
    let back = if form.get("from") == "capture" {
        "capture"
    } else {
        "facilitate"
    };
    Ok(see_other(&format!(
        "{}/{back}",
        session_path(&runner, number)
    )))
}

/// What a live stream holds between events.
struct Listening {
    key: SessionKey,
    first: bool,
    notices: Receiver<Notice>,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    until: tokio::time::Instant,
}

fn change() -> Event {
    // Browsers drop events with no data, so the event carries a word.
    Event::default().event("change").data("changed")
}

/// The next event of a live stream; `None` ends it (server stopping, or its time is up).
async fn next_change(mut listening: Listening) -> Option<(Result<Event, Infallible>, Listening)> {
    if listening.first {
        // Once at connect: whatever changed while the page was loading or reconnecting.
        listening.first = false;
        let event = change().retry(Duration::from_secs(2));
        return Some((Ok(event), listening));
    }
    loop {
        tokio::select! {
            () = &mut listening.closed => return None,
            () = tokio::time::sleep_until(listening.until) => return None,
            notice = listening.notices.recv() => match notice {
                Ok(notice) if notice.concerns(listening.key) => {
                    return Some((Ok(change()), listening));
                }
                Ok(_) => {}
                // Fell behind: something may have changed.
                Err(RecvError::Lagged(_)) => return Some((Ok(change()), listening)),
                Err(RecvError::Closed) => return None,
            },
        }
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/live`: Server-Sent
/// Events saying `change` whenever the session changes, and once at connect. A notice says
/// only that something changed; the page reads what from the facilitation page.
pub async fn show_live_changes(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
) -> Response {
    let listening = Listening {
        key: SessionKey {
            review: runner.review.id,
            number,
        },
        first: true,
        notices: state.live.subscribe(),
        closed: Box::pin(state.live.closed()),
        until: tokio::time::Instant::now() + STREAM_LIFETIME,
    };
    let stream = futures_util::stream::unfold(listening, next_change);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Reverse proxies (nginx) would otherwise hold events back to fill a buffer.
    response.headers_mut().insert(
        header::HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}
