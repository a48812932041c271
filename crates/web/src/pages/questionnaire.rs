//! The questionnaire a participant answers from their personal link, with no account.
//!
//! The link itself is the credential (256 random bits, stored hashed), so these forms carry no
//! CSRF token: a forged post would need the secret it is posting to. Answering twice, or after
//! the questionnaire closed, stores nothing and says so kindly.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonground_domain::instrument::{Choice, Instrument};
use commonground_domain::participants::{ProfessionGroup, RoleLevel};
use commonground_domain::questionnaire::parse_submission;
use commonground_domain::review::QuestionnaireState;
use commonground_store::questionnaire::{LinkTarget, Submitted};

use super::{Chrome, MessagePage, invalid, ok, render};
use crate::error::{AppError, AppResult};
use crate::extractors::Session;
use crate::forms::FormErrors;
use crate::state::AppState;

/// A radio or checkbox option.
pub struct Opt {
    value: String,
    label: String,
    checked: bool,
}

/// A question answered with one radio.
pub struct Question {
    field: String,
    legend: String,
    hint: String,
    options: Vec<Opt>,
}

/// A question answered with checkboxes.
pub struct CheckGroup {
    field: String,
    legend: String,
    hint: String,
    options: Vec<Opt>,
}

/// A free-text question.
pub struct TextQuestion {
    field: String,
    label: String,
    hint: String,
    value: String,
}

/// A part of the questionnaire, numbered to show progress.
pub struct Section {
    title: String,
    intro: String,
    questions: Vec<Question>,
    checkboxes: Vec<CheckGroup>,
    texts: Vec<TextQuestion>,
}

/// The questionnaire page.
#[derive(Template)]
#[template(path = "pages/questionnaire.html", whitespace = "minimize")]
pub struct QuestionnairePage {
    chrome: Chrome,
    errors: FormErrors,
    organisation: String,
    review: String,
    introduction: Vec<String>,
    min_group: u32,
    action: String,
    open_link: bool,
    sections: Vec<Section>,
}

/// What the form held: single values by field, and the repeated checkbox values.
struct Values<'a> {
    single: BTreeMap<&'a str, &'a str>,
    multi: &'a [(String, String)],
}

impl Values<'_> {
    fn is(&self, field: &str, value: &str) -> bool {
        self.single.get(field) == Some(&value)
    }

    fn has(&self, field: &str, value: &str) -> bool {
        self.multi.iter().any(|(k, v)| k == field && v == value)
    }
}

fn radio(
    field: &str,
    legend: &str,
    hint: &str,
    choices: Vec<(String, String)>,
    values: &Values,
) -> Question {
    Question {
        field: field.to_owned(),
        legend: legend.to_owned(),
        hint: hint.to_owned(),
        options: choices
            .into_iter()
            .map(|(value, label)| Opt {
                checked: values.is(field, &value),
                value,
                label,
            })
            .collect(),
    }
}

/// Part 1: the profile questions, pre-filled from the invitation.
fn about_you(divisions: &[String], values: &Values) -> Vec<Question> {
    let mut about = vec![
        radio(
            "profession",
            "Your profession group",
            "",
            ProfessionGroup::ALL
                .iter()
                .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
                .collect(),
            values,
        ),
        radio(
            "role_level",
            "Your role level",
            "",
            RoleLevel::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
                .collect(),
            values,
        ),
    ];
    if !divisions.is_empty() {
        let mut choices: Vec<(String, String)> =
            divisions.iter().map(|d| (d.clone(), d.clone())).collect();
        choices.push((String::new(), "I would rather not say".to_owned()));
        about.insert(1, radio("division", "Your division", "", choices, values));
    }
    about
}

/// Part 2: every statement, rated 1 to 5 or "don't know", with its factor as the hint.
fn statement_questions(instrument: &Instrument, values: &Values) -> Vec<Question> {
    let mut scale: Vec<(String, String)> = instrument
        .scale
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| ((i + 1).to_string(), format!("{} ({})", label, i + 1)))
        .collect();
    scale.push(("dk".to_owned(), instrument.scale.dont_know.clone()));
    instrument
        .statements()
        .map(|(factor, statement)| {
            radio(
                &format!("s-{}", statement.key),
                &statement.text,
                &factor.title,
                scale.clone(),
                values,
            )
        })
        .collect()
}

/// Part 3: involvement in financial decisions, one question per scope.
fn involvement_questions(instrument: &Instrument, values: &Values) -> Vec<Question> {
    let levels: Vec<(String, String)> = instrument
        .involvement
        .levels
        .iter()
        .map(|l| (l.key.clone(), l.label.clone()))
        .collect();
    instrument
        .involvement
        .scopes
        .iter()
        .map(|scope| {
            radio(
                &format!("inv-{}", scope.key),
                &scope.label,
                "",
                levels.clone(),
                values,
            )
        })
        .collect()
}

fn checks(field: &str, legend: &str, list: &[Choice], max: u32, values: &Values) -> CheckGroup {
    CheckGroup {
        field: field.to_owned(),
        legend: legend.to_owned(),
        hint: format!("Optional. Choose up to {max}."),
        options: list
            .iter()
            .map(|c| Opt {
                value: c.key.clone(),
                label: c.label.clone(),
                checked: values.has(field, &c.key),
            })
            .collect(),
    }
}

fn section(title: &str, intro: &str) -> Section {
    Section {
        title: title.to_owned(),
        intro: intro.to_owned(),
        questions: Vec::new(),
        checkboxes: Vec::new(),
        texts: Vec::new(),
    }
}

fn sections(instrument: &Instrument, divisions: &[String], values: &Values) -> Vec<Section> {
    let mut about = section(
        "About you",
        "This lets results be compared between groups, never shown for small ones.",
    );
    about.questions = about_you(divisions, values);
    let mut statements = section(
        "How you work together",
        "How far do you agree with each statement about clinical and finance colleagues where you work?",
    );
    statements.questions = statement_questions(instrument, values);
    let mut involvement = section(
        "Your part in financial decisions",
        &instrument.involvement.question,
    );
    involvement.questions = involvement_questions(instrument, values);
    let mut choices = section("What gets in the way, and what would help", "");
    choices.checkboxes = vec![
        checks(
            "barriers",
            "What gets in the way most?",
            &instrument.barriers,
            instrument.max_barrier_choices,
            values,
        ),
        checks(
            "measures",
            "What would help most?",
            &instrument.measures,
            instrument.max_measure_choices,
            values,
        ),
    ];
    let mut words = section("In your own words", "Optional. Please do not name anyone.");
    words.texts = instrument
        .prompts
        .iter()
        .map(|p| {
            let field = format!("c-{}", p.key);
            TextQuestion {
                value: values
                    .single
                    .get(field.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                field,
                label: p.question.clone(),
                hint: p.hint.clone(),
            }
        })
        .collect();
    vec![about, statements, involvement, choices, words]
}

/// What the page shows, whichever kind of link led to it.
struct Shown {
    organisation: String,
    review: String,
    instrument: Arc<Instrument>,
    divisions: Vec<String>,
    min_group: u32,
    action: String,
    open_link: bool,
}

fn not_valid() -> AppError {
    AppError::Gone("This questionnaire link is not valid. Check you copied the whole link.".into())
}

async fn personal(state: &AppState, token: &str) -> AppResult<(LinkTarget, Shown)> {
    let target = state
        .store
        .link_target(token)
        .await?
        .ok_or_else(not_valid)?;
    let shown = Shown {
        organisation: target.organisation_name.clone(),
        review: target.review_title.clone(),
        instrument: target.instrument.clone(),
        divisions: target.divisions.clone(),
        min_group: target.min_reporting_group,
        action: format!("/q/{token}"),
        open_link: false,
    };
    Ok((target, shown))
}

async fn open(state: &AppState, token: &str) -> AppResult<(QuestionnaireState, Shown)> {
    let target = state
        .store
        .open_link_target(token)
        .await?
        .ok_or_else(not_valid)?;
    let shown = Shown {
        organisation: target.organisation_name,
        review: target.review_title,
        instrument: target.instrument,
        divisions: target.divisions,
        min_group: target.min_reporting_group,
        action: format!("/q/open/{token}"),
        open_link: true,
    };
    Ok((target.state, shown))
}

fn message(session: &Session, status: StatusCode, title: &str, text: &str) -> Response {
    render(
        status,
        MessagePage {
            chrome: Chrome::new(session, title),
            confirmation: false,
            paragraphs: vec![text.to_owned()],
            link: None,
        },
    )
}

fn not_open(session: &Session, state: QuestionnaireState, status: StatusCode) -> Response {
    let text = if state == QuestionnaireState::Draft {
        "The questionnaire is not open yet. Use the same link again when you are told it has opened."
    } else {
        "The questionnaire has closed, so answers can no longer be sent. Thank you for your interest."
    };
    message(session, status, "This questionnaire is not open", text)
}

fn already(session: &Session, status: StatusCode) -> Response {
    message(
        session,
        status,
        "You have already answered",
        "Thank you: your answers were received. Each link answers once, so nothing more was saved.",
    )
}

fn thanks(session: &Session) -> Response {
    render(
        StatusCode::OK,
        MessagePage {
            chrome: Chrome::new(session, "Thank you: your answers were sent"),
            confirmation: true,
            paragraphs: vec![
                "Your answers are stored with no link to you.".to_owned(),
                "The team will see the results once the questionnaire closes, and talk about them together at the first session.".to_owned(),
            ],
            link: None,
        },
    )
}

fn page(
    session: &Session,
    shown: &Shown,
    fields: &[(String, String)],
    errors: FormErrors,
) -> QuestionnairePage {
    let values = Values {
        single: fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        multi: fields,
    };
    QuestionnairePage {
        chrome: Chrome::with_errors(session, shown.instrument.title.clone(), &errors),
        errors,
        organisation: shown.organisation.clone(),
        review: shown.review.clone(),
        introduction: shown.instrument.introduction.clone(),
        min_group: shown.min_group,
        action: shown.action.clone(),
        open_link: shown.open_link,
        sections: sections(&shown.instrument, &shown.divisions, &values),
    }
}

/// The form again with its errors, answers kept.
fn with_errors(
    session: &Session,
    shown: &Shown,
    fields: &[(String, String)],
    problems: Vec<(String, String)>,
) -> Response {
    let mut errors = FormErrors::new();
    for (field, message) in problems {
        errors.add(&field, message);
    }
    invalid(page(session, shown, fields, errors))
}

/// `GET /q/{token}`
pub async fn show_questionnaire(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (target, shown) = personal(&state, &token).await?;
    if target.responded {
        return Ok(already(&session, StatusCode::OK));
    }
    if target.state != QuestionnaireState::Open {
        return Ok(not_open(&session, target.state, StatusCode::OK));
    }
    // Start from the profile they were invited with; they may change it.
    let prefill = vec![
        (
            "profession".to_owned(),
            target.profession.as_str().to_owned(),
        ),
        (
            "role_level".to_owned(),
            target.role_level.as_str().to_owned(),
        ),
        (
            "division".to_owned(),
            target.division.clone().unwrap_or_default(),
        ),
    ];
    Ok(ok(page(&session, &shown, &prefill, FormErrors::new())))
}

/// `POST /q/{token}`
pub async fn create_response(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (target, shown) = personal(&state, &token).await?;
    if target.responded {
        return Ok(already(&session, StatusCode::CONFLICT));
    }
    if target.state != QuestionnaireState::Open {
        return Ok(not_open(&session, target.state, StatusCode::CONFLICT));
    }
    let submission = match parse_submission(&shown.instrument, &shown.divisions, &fields) {
        Ok(submission) => submission,
        Err(problems) => return Ok(with_errors(&session, &shown, &fields, problems)),
    };
    match state.store.submit_response(&token, submission).await? {
        Submitted::Stored => Ok(thanks(&session)),
        Submitted::AlreadyAnswered => Ok(already(&session, StatusCode::CONFLICT)),
        Submitted::NotOpen => Ok(not_open(
            &session,
            QuestionnaireState::Closed,
            StatusCode::CONFLICT,
        )),
        Submitted::UnknownLink => Err(AppError::NotFound),
    }
}

/// `GET /q/open/{token}`
pub async fn show_open_questionnaire(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (questionnaire, shown) = open(&state, &token).await?;
    if questionnaire != QuestionnaireState::Open {
        return Ok(not_open(&session, questionnaire, StatusCode::OK));
    }
    Ok(ok(page(&session, &shown, &[], FormErrors::new())))
}

/// `POST /q/open/{token}`
pub async fn create_open_response(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (questionnaire, shown) = open(&state, &token).await?;
    if questionnaire != QuestionnaireState::Open {
        return Ok(not_open(&session, questionnaire, StatusCode::CONFLICT));
    }
    let submission = match parse_submission(&shown.instrument, &shown.divisions, &fields) {
        Ok(submission) => submission,
        Err(problems) => return Ok(with_errors(&session, &shown, &fields, problems)),
    };
    match state.store.submit_open_response(&token, submission).await? {
        Submitted::Stored => Ok(thanks(&session)),
        Submitted::NotOpen | Submitted::AlreadyAnswered => Ok(not_open(
            &session,
            QuestionnaireState::Closed,
            StatusCode::CONFLICT,
        )),
        Submitted::UnknownLink => Err(not_valid()),
    }
}
