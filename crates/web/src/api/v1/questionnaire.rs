//! The questionnaire: state changes and response rates for champions; the questionnaire itself
//! for participants, by their personal link and without an account.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::instrument::Instrument;
use commonground_domain::questionnaire::parse_submission;
use commonground_domain::review::QuestionnaireState;
use commonground_store::questionnaire::Submitted;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::questionnaire_actions::{self as actions, ResponseRates};
use crate::state::AppState;

/// Where the questionnaire stands after a change.
#[derive(Serialize, ToSchema)]
pub struct QuestionnaireStatus {
    /// `draft`, `open`, `closed` or `released`.
    pub state: String,
    /// How many people this change emails their link (the job sends them in the background).
    pub emailed: i64,
    /// The job that sends those emails; follow it with `getJob`.
    pub job_id: Option<i64>,
}

async fn status(
    state: &AppState,
    runner: &ReviewRunner<ApiUser>,
    job: Option<commonground_domain::JobId>,
) -> AppResult<Json<QuestionnaireStatus>> {
    let emailed = match job {
        Some(id) => state
            .store
            .get_job(
                commonground_store::jobs::JobScope::Organisation(runner.member.org.id),
                id,
            )
            .await?
            .map_or(0, |j| j.progress.total),
        None => 0,
    };
    let review = state
        .store
        .get_review(runner.member.org.id, runner.review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(QuestionnaireStatus {
        state: review.questionnaire.as_str().to_owned(),
        emailed,
        job_id: job.map(|j| j.0),
    }))
}

/// Opens the questionnaire and emails each participant their personal link (when already open,
/// emails only people added since).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/questionnaire/open", operation_id = "openQuestionnaire", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = QuestionnaireStatus), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn open_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<QuestionnaireStatus>> {
    let job = actions::open(&state, &runner.member.org, &runner.review, None).await?;
    status(&state, &runner, job).await
}

/// Closes the questionnaire: no more answers; scores become visible to the review's champions.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/questionnaire/close", operation_id = "closeQuestionnaire", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = QuestionnaireStatus), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<QuestionnaireStatus>> {
    actions::close(&state, &runner.member.org, &runner.review).await?;
    status(&state, &runner, None).await
}

/// Releases the results to the team; the questionnaire can never reopen afterwards.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/questionnaire/release", operation_id = "releaseResults", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = QuestionnaireStatus), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn release_results(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<QuestionnaireStatus>> {
    actions::release(&state, &runner.member, &runner.review).await?;
    status(&state, &runner, None).await
}

/// Who has answered, counted by group (never what anyone answered).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/response-rates", operation_id = "getResponseRates", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = ResponseRates), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_response_rates(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<ResponseRates>> {
    let invitees = state
        .store
        .list_participants(runner.member.org.id, runner.review.id)
        .await?;
    Ok(Json(actions::response_rates(&invitees)))
}

/// The questionnaire behind a personal link.
#[derive(Serialize, ToSchema)]
pub struct QuestionnaireBody {
    /// The organisation's name.
    pub organisation: String,
    /// The review's title.
    pub review: String,
    /// `draft`, `open`, `closed` or `released`: answers are accepted only when `open`.
    pub state: String,
    /// Whether this link has already answered.
    pub answered: bool,
    /// The organisation's divisions (a division answer must be one of them).
    pub divisions: Vec<String>,
    /// The instrument: factors and statements, involvement, barriers, measures, prompts.
    #[schema(value_type = Object)]
    pub instrument: Instrument,
}

async fn questionnaire_of(
    state: &AppState,
    token: &str,
) -> AppResult<(
    commonground_store::questionnaire::LinkTarget,
    Instrument,
    Vec<String>,
)> {
    let target = state
        .store
        .link_target(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let instrument = Instrument::clone(&target.instrument);
    let divisions = target.divisions.clone();
    Ok((target, instrument, divisions))
}

/// Returns the questionnaire for a personal link. The link is the credential: no account.
#[utoipa::path(get, path = "/api/v1/questionnaires/{token}", operation_id = "getQuestionnaire", tag = "questionnaire",
    params(("token" = String, Path, description = "The secret from the personal link")),
    responses((status = 200, body = QuestionnaireBody), (status = 404, body = Problem)))]
pub async fn get_questionnaire(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Json<QuestionnaireBody>> {
    let (target, instrument, divisions) = questionnaire_of(&state, &token).await?;
    Ok(Json(QuestionnaireBody {
        organisation: target.organisation_name,
        review: target.review_title,
        state: target.state.as_str().to_owned(),
        answered: target.responded,
        divisions,
        instrument,
    }))
}

/// One person's answers, as JSON.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRequest {
    /// Profession group key.
    pub profession: String,
    /// Division, if any.
    #[serde(default)]
    pub division: Option<String>,
    /// Role level key.
    pub role_level: String,
    /// Statement key → 1 to 5, or "dk" for don't know. Every statement must be answered.
    pub answers: BTreeMap<String, String>,
    /// Involvement scope key → level key, for every scope.
    pub involvement: BTreeMap<String, String>,
    /// Barrier keys (up to the instrument's maximum).
    #[serde(default)]
    pub barriers: Vec<String>,
    /// Measure keys (up to the instrument's maximum).
    #[serde(default)]
    pub measures: Vec<String>,
    /// Prompt key → comment.
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
}

impl ResponseRequest {
    /// The same fields the questionnaire page posts, so both are checked by one parser.
    fn into_fields(self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("profession".to_owned(), self.profession),
            ("role_level".to_owned(), self.role_level),
        ];
        if let Some(division) = self.division {
            fields.push(("division".to_owned(), division));
        }
        fields.extend(self.answers.into_iter().map(|(k, v)| (format!("s-{k}"), v)));
        fields.extend(
            self.involvement
                .into_iter()
                .map(|(k, v)| (format!("inv-{k}"), v)),
        );
        fields.extend(
            self.barriers
                .into_iter()
                .map(|b| ("barriers".to_owned(), b)),
        );
        fields.extend(
            self.measures
                .into_iter()
                .map(|m| ("measures".to_owned(), m)),
        );
        fields.extend(
            self.comments
                .into_iter()
                .map(|(k, v)| (format!("c-{k}"), v)),
        );
        fields
    }
}

/// Sends the answers for a personal link, once. A second or concurrent submission, or one after
/// the questionnaire closed, stores nothing (409).
#[utoipa::path(post, path = "/api/v1/questionnaires/{token}/responses", operation_id = "submitResponse", tag = "questionnaire",
    params(("token" = String, Path, description = "The secret from the personal link")),
    request_body = ResponseRequest,
    responses((status = 201, description = "Stored"), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_response(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    // The link is checked before the body is read, so an unknown link is always "not found".
    let (target, instrument, divisions) = questionnaire_of(&state, &token).await?;
    let request: ResponseRequest = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("body", format!("The answers could not be read: {e}")))?;
    if target.state != QuestionnaireState::Open {
        return Err(AppError::Conflict(
            "The questionnaire is not open, so nothing was saved.".into(),
        ));
    }
    let submission = parse_submission(&instrument, &divisions, &request.into_fields())
        .map_err(AppError::Invalid)?;
    match state.store.submit_response(&token, submission).await? {
        Submitted::Stored => Ok(StatusCode::CREATED),
        Submitted::AlreadyAnswered => Err(AppError::Conflict(
            "This link has already answered, so nothing more was saved.".into(),
        )),
        Submitted::NotOpen => Err(AppError::Conflict(
            "The questionnaire is not open, so nothing was saved.".into(),
        )),
        Submitted::UnknownLink => Err(AppError::NotFound),
    }
}

/// A new open link, shown only now.
#[derive(Serialize, ToSchema)]
pub struct OpenLinkBody {
    /// The link to share; anyone with it can answer. It is not stored, only its hash.
    pub link: String,
}

/// Makes an open link for the whole review, replacing any earlier one. Anyone with it can
/// answer, and nothing stops someone answering twice: prefer personal links.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/open-link", operation_id = "createOpenLink", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 201, body = OpenLinkBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn create_open_link(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<(StatusCode, Json<OpenLinkBody>)> {
    let secret = commonground_store::NewSecret::generate("");
    state
        .store
        .set_open_link(runner.member.org.id, runner.review.id, Some(&secret.hash))
        .await?;
    let link = format!("{}/q/open/{}", state.config.public_base_url, secret.token);
    Ok((StatusCode::CREATED, Json(OpenLinkBody { link })))
}

/// Stops the review's open link.
#[utoipa::path(delete, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/open-link", operation_id = "deleteOpenLink", tag = "questionnaire",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_open_link(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<StatusCode> {
    state
        .store
        .set_open_link(runner.member.org.id, runner.review.id, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
