//! Participants of a review (step 2): adding people one by one or from a CSV file, the
//! downloadable template, and the balance of the group.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use commonground_domain::ParticipantId;
use commonground_domain::participants::{
    CSV_TEMPLATE, CsvProblem, ParticipantProfile, ProfessionGroup, RoleLevel, balance,
    parse_participants_csv,
};
use commonground_store::participants::{Added, Participant};

use super::{Chrome, invalid, ok, see_other};
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SignedIn, Upload};
use crate::forms::FormErrors;
use crate::participant_input::ParticipantInput;
use crate::state::AppState;

/// A radio option.
pub struct RadioOption {
    value: String,
    label: String,
    checked: bool,
}

/// One balance table: a caption and (group, count) rows.
pub struct BalanceTable {
    caption: &'static str,
    rows: Vec<(String, usize)>,
}

/// A problem row from a CSV file.
pub struct ProblemRow {
    row: String,
    column: String,
    message: String,
}

/// The participants page.
#[derive(Template)]
#[template(path = "pages/participants.html")]
pub struct ParticipantsPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    notices: Vec<String>,
    problems: Vec<ProblemRow>,
    participants: Vec<Participant>,
    balance: commonground_domain::participants::Balance,
    warnings: Vec<String>,
    balance_tables: Vec<BalanceTable>,
    form: ParticipantInput,
    professions: Vec<RadioOption>,
    divisions: Vec<RadioOption>,
    levels: Vec<RadioOption>,
}

/// What to show besides the list.
#[derive(Default)]
struct Extras {
    errors: FormErrors,
    notices: Vec<String>,
    problems: Vec<CsvProblem>,
    form: ParticipantInput,
}

async fn page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    extras: Extras,
) -> AppResult<ParticipantsPage> {
    let org = runner.member.org.id;
    let participants = state.store.list_participants(org, runner.review.id).await?;
    let divisions: Vec<String> = state.store.division_names(org).await?;
    let profiles: Vec<ParticipantProfile> = participants
        .iter()
        .map(|p| ParticipantProfile {
            profession: p.profession,
            division: p.division.clone(),
            role_level: p.role_level,
        })
        .collect();
    let summary = balance(&profiles);
    let form = extras.form;
    let radio = |value: &str, label: &str, current: &str| RadioOption {
        value: value.to_owned(),
        label: label.to_owned(),
        checked: current == value,
    };
    let balance_tables = vec![
        BalanceTable {
            caption: "Profession group",
            rows: summary
                .by_profession
                .iter()
                .map(|(g, n)| (g.label().to_owned(), *n))
                .collect(),
        },
        BalanceTable {
            caption: "Division",
            rows: summary.by_division.clone(),
        },
        BalanceTable {
            caption: "Role level",
            rows: summary
                .by_level
                .iter()
                .map(|(l, n)| (l.label().to_owned(), *n))
                .collect(),
        },
    ];
    Ok(ParticipantsPage {
        chrome: Chrome::with_errors(
            &runner.member.caller.session,
            "Participants",
            &extras.errors,
        ),
        errors: extras.errors,
        org_id: org.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        notices: extras.notices,
        problems: extras
            .problems
            .into_iter()
            .map(|p| ProblemRow {
                row: if p.row == 0 {
                    "Whole file".to_owned()
                } else {
                    p.row.to_string()
                },
                column: p.column.unwrap_or_default(),
                message: p.message,
            })
            .collect(),
        participants,
        warnings: summary
            .warnings
            .iter()
            .map(|w| w.message().clone())
            .collect(),
        balance: summary,
        balance_tables,
        professions: ProfessionGroup::ALL
            .iter()
            .map(|g| radio(g.as_str(), g.label(), &form.profession))
            .collect(),
        divisions: divisions
            .iter()
            .map(|d| radio(d, d, &form.division))
            .collect(),
        levels: RoleLevel::ALL
            .iter()
            .map(|l| radio(l.as_str(), l.label(), &form.role_level))
            .collect(),
        form,
    })
}

/// Notices after adding people: how many, and who was already invited.
fn added_notices(added: &Added, merged: Vec<String>) -> Vec<String> {
    let mut notices = vec![format!(
        "{} {} added.",
        added.added,
        if added.added == 1 { "person" } else { "people" }
    )];
    notices.extend(merged);
    if !added.already_invited.is_empty() {
        notices.push(format!(
            "Already invited, so left as they were: {}.",
            added.already_invited.join(", ")
        ));
    }
    notices
}

/// `GET /organisations/{org_id}/reviews/{review_id}/participants`
pub async fn list_participants(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(page(&state, &runner, Extras::default()).await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/participants`
pub async fn create_participant(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let input = ParticipantInput {
        name: form.get("name").to_owned(),
        email: form.get("email").to_owned(),
        profession: form.get("profession").to_owned(),
        division: form.get("division").to_owned(),
        role_level: form.get("role_level").to_owned(),
    };
    let org = runner.member.org.id;
    let divisions: Vec<String> = state.store.division_names(org).await?;
    let mut errors = FormErrors::new();
    let Some(person) = input
        .parse(&divisions, "", &mut errors)
        .filter(|_| errors.is_empty())
    else {
        let extras = Extras {
            errors,
            form: input,
            ..Extras::default()
        };
        return Ok(invalid(page(&state, &runner, extras).await?));
    };
    let added = state
        .store
        .add_participants(org, runner.review.id, &[person])
        .await?
        .ok_or(AppError::NotFound)?;
    let notices = added_notices(&added, Vec::new());
    Ok(ok(page(
        &state,
        &runner,
        Extras {
            notices,
            ..Extras::default()
        },
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/participants/import`
pub async fn import_participants(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    upload: Upload,
) -> AppResult<Response> {
    let org = runner.member.org.id;
    let bytes = match upload.file {
        Ok(bytes) => bytes,
        Err(problem) => {
            let mut errors = FormErrors::new();
            errors.add("file", problem.message());
            return Ok(invalid(
                page(
                    &state,
                    &runner,
                    Extras {
                        errors,
                        ..Extras::default()
                    },
                )
                .await?,
            ));
        }
    };
    let divisions: Vec<String> = state.store.division_names(org).await?;
    match parse_participants_csv(&bytes, &divisions) {
        Ok(import) => {
            let added = state
                .store
                .add_participants(org, runner.review.id, &import.participants)
                .await?
                .ok_or(AppError::NotFound)?;
            tracing::info!(review_id = %runner.review.id, added = added.added, "participants imported");
            let notices = added_notices(&added, import.notices);
            Ok(ok(page(
                &state,
                &runner,
                Extras {
                    notices,
                    ..Extras::default()
                },
            )
            .await?))
        }
        Err(problems) => {
            let mut errors = FormErrors::new();
            errors.add(
                "file",
                format!(
                    "The file has {} {}: fix {} and import it again. Nothing was imported",
                    problems.len(),
                    if problems.len() == 1 {
                        "problem"
                    } else {
                        "problems"
                    },
                    if problems.len() == 1 { "it" } else { "them" }
                ),
            );
            Ok(invalid(
                page(
                    &state,
                    &runner,
                    Extras {
                        errors,
                        problems,
                        ..Extras::default()
                    },
                )
                .await?,
            ))
        }
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/participants/template.csv`
pub async fn show_participants_template(_runner: ReviewRunner<SignedIn>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"participants-template.csv\""),
            ),
        ],
        CSV_TEMPLATE,
    )
        .into_response()
}

/// `POST /organisations/{org_id}/reviews/{review_id}/participants/{participant_id}/remove`
pub async fn delete_participant(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    Path(ids): Path<(i64, i64, i64)>,
    _form: Form,
) -> AppResult<Response> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    if !state
        .store
        .remove_participant(org, review, ParticipantId(ids.2))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = format!("From the review “{}”", runner.review.title);
    audit::record_by(
        &state,
        &runner.member,
        Action::ParticipantRemoved,
        None,
        &detail,
    )
    .await?;
    Ok(see_other(&format!(
        "/organisations/{org}/reviews/{review}/participants"
    )))
}
