//! Capturing notes in a team session: champions on their own page, note takers from the
//! session's link on their own devices, with no account.
//!
//! The note takers' link is the credential (256 random bits, stored hashed), so its form
//! carries no CSRF token, as with questionnaire links: a forged post would need the secret it
//! posts to, and the CSRF layer still refuses cross-site posts. Notes are not linked to who
//! wrote them: note takers write for the room.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use commonground_domain::capture::CaptureKind;
use commonground_domain::{OrganisationId, ReviewId};
use commonground_store::team_sessions::CaptureTarget;

use super::projector::NoteGroup;
use super::{Chrome, invalid, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, Session, SessionNumber, SignedIn};
use crate::forms::FormErrors;
use crate::sessions;
use crate::state::AppState;

/// A kind of note as a radio.
pub struct KindOption {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// A capture page, for champions and for note takers.
#[derive(Template)]
#[template(path = "pages/capture.html")]
pub struct CapturePage {
    chrome: Chrome,
    errors: FormErrors,
    review_title: String,
    number: u8,
    /// Where the form posts.
    action: String,
    /// Champions' forms carry a CSRF token; the note takers' link is its own credential.
    csrf_token: Option<String>,
    kinds: Vec<KindOption>,
    text: String,
    added: bool,
    groups: Vec<NoteGroup>,
    /// Champions may remove notes: the session's path, up to `/capture`.
    remove_path: Option<String>,
    /// Champions' way back to the projector page.
    facilitate_path: Option<String>,
}

/// Who is capturing, and into which session.
struct Capturing {
    org: OrganisationId,
    review: ReviewId,
    review_title: String,
    number: u8,
    action: String,
    csrf_token: Option<String>,
    session_path: Option<String>,
}

/// What the form held, kept when it is shown again with errors.
#[derive(Default)]
struct Input {
    kind: String,
    text: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    capturing: &Capturing,
    errors: FormErrors,
    input: Input,
    added: bool,
) -> AppResult<CapturePage> {
    let notes = state
        .store
        .capture_items(capturing.org, capturing.review, capturing.number, None)
        .await?;
    let groups = NoteGroup::by_kind(notes);
    let title = format!("Notes for session {}", capturing.number);
    Ok(CapturePage {
        chrome: Chrome::with_errors(session, title, &errors),
        errors,
        review_title: capturing.review_title.clone(),
        number: capturing.number,
        action: capturing.action.clone(),
        csrf_token: capturing.csrf_token.clone(),
        kinds: CaptureKind::ALL
            .into_iter()
            .map(|k| KindOption {
                value: k.as_str(),
                label: k.label(),
                checked: k.as_str() == input.kind,
            })
            .collect(),
        text: input.text,
        added,
        groups,
        remove_path: capturing.session_path.clone(),
        facilitate_path: capturing
            .session_path
            .as_ref()
            .map(|p| format!("{p}/facilitate")),
    })
}

/// Adds the note, or shows the form again with what is wrong (nothing stored then).
async fn add(
    state: &AppState,
    session: &Session,
    capturing: &Capturing,
    input: Input,
) -> AppResult<Response> {
    match sessions::capture(
        state,
        capturing.org,
        capturing.review,
        capturing.number,
        &input.kind,
        &input.text,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("{}?added=1", capturing.action))),
        Err(AppError::Invalid(problems)) => {
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                errors.add(&field, message);
            }
            Ok(invalid(
                page(state, session, capturing, errors, input, false).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

fn for_champion(runner: &ReviewRunner<SignedIn>, number: u8) -> Capturing {
    let session_path = format!(
        "/organisations/{}/reviews/{}/sessions/{number}",
        runner.member.org.id, runner.review.id
    );
    Capturing {
        org: runner.member.org.id,
        review: runner.review.id,
        review_title: runner.review.title.clone(),
        number,
        action: format!("{session_path}/capture"),
        csrf_token: Some(runner.member.caller.session.csrf_token.clone()),
        session_path: Some(session_path),
    }
}

fn for_note_taker(target: CaptureTarget, token: &str) -> Capturing {
    Capturing {
        org: target.organisation,
        review: target.review,
        review_title: target.review_title,
        number: target.number,
        action: format!("/capture/{token}"),
        csrf_token: None,
        session_path: None,
    }
}

fn added(query: Option<&str>) -> bool {
    query == Some("added=1")
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture`
pub async fn show_capture(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let capturing = for_champion(&runner, number);
    let session = &runner.member.caller.session;
    let shown = page(
        &state,
        session,
        &capturing,
        FormErrors::new(),
        Input::default(),
        added(query.as_deref()),
    )
    .await?;
    Ok(ok(shown))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture`
pub async fn create_capture(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let input = Input {
        kind: form.get("kind").to_owned(),
        text: form.get("text").to_owned(),
    };
    let capturing = for_champion(&runner, number);
    add(&state, &runner.member.caller.session, &capturing, input).await
}

/// `GET /capture/{token}`: the note takers' page; an unknown link is not found.
pub async fn show_capture_link(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let target = state
        .store
        .session_by_capture_link(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let capturing = for_note_taker(target, &token);
    let shown = page(
        &state,
        &session,
        &capturing,
        FormErrors::new(),
        Input::default(),
        added(query.as_deref()),
    )
    .await?;
    Ok(ok(shown))
}

/// `POST /capture/{token}`
pub async fn create_capture_by_link(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let target = state
        .store
        .session_by_capture_link(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = Input {
        kind: field("kind"),
        text: field("text"),
    };
    add(&state, &session, &for_note_taker(target, &token), input).await
}
