//! A review's emails: sending invitations and reminders, and reading, changing and previewing
//! the wording of each email.

use axum::Json;
use axum::extract::{Path, State};
use commonground_domain::ParticipantId;
use commonground_domain::email_template::{EmailKind, EmailTemplate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::forms::FormErrors;
use crate::mailing_status::JobBody;
use crate::questionnaire_actions as actions;
use crate::review_emails as emails;
use crate::state::AppState;

async fn job_body(
    state: &AppState,
    runner: &ReviewRunner<ApiUser>,
    job: Option<commonground_domain::JobId>,
    none: &str,
) -> AppResult<Json<JobBody>> {
    let job = job.ok_or_else(|| AppError::Conflict(none.to_owned()))?;
    let summary = state
        .store
        .get_job(
            commonground_store::jobs::JobScope::Organisation(runner.member.org.id),
            job,
        )
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(JobBody::from(&summary)))
}

/// Emails their personal link to every participant who has none yet, opening the questionnaire
/// if it is not open. The emails go in the background: follow the job with `getJob`.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/invitations", operation_id = "sendInvitations", tag = "emails",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = JobBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn send_invitations(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<JobBody>> {
    let job = actions::open(&state, &runner.member.org, &runner.review, None).await?;
    job_body(
        &state,
        &runner,
        job,
        "Everyone on the list already has their link.",
    )
    .await
}

/// Reminds everyone who has a link and has not answered, now.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/reminders", operation_id = "sendReminders", tag = "emails",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = JobBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn send_reminders(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<JobBody>> {
    let job = actions::remind_now(&state, &runner.member.org, &runner.review).await?;
    job_body(
        &state,
        &runner,
        job,
        "Everyone who can be reminded has answered.",
    )
    .await
}

/// An email's wording.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTemplateBody {
    /// The subject line, with placeholders.
    pub subject: String,
    /// The plain-text body, with placeholders; blank lines separate paragraphs.
    pub body: String,
}

/// An email's wording as a review uses it.
#[derive(Serialize, ToSchema)]
pub struct EmailTemplateInUse {
    /// `invitation`, `reminder`, `thank-you`, `session-invitation` or `action-reminder`.
    pub kind: String,
    /// The subject line.
    pub subject: String,
    /// The body.
    pub body: String,
    /// Whether the review changed our wording.
    pub custom: bool,
    /// The placeholders this email can use, such as `{name}`.
    pub placeholders: Vec<String>,
}

async fn in_use(
    state: &AppState,
    runner: &ReviewRunner<ApiUser>,
    kind: EmailKind,
) -> AppResult<Json<EmailTemplateInUse>> {
    let (template, custom) =
        emails::template_in_use(state, runner.member.org.id, runner.review.id, kind).await?;
    Ok(Json(EmailTemplateInUse {
        kind: kind.as_str().to_owned(),
        subject: template.subject,
        body: template.body,
        custom,
        placeholders: commonground_domain::email_template::Placeholder::ALL
            .iter()
            .filter(|p| kind.allows(**p))
            .map(|p| format!("{{{}}}", p.key()))
            .collect(),
    }))
}

/// Checks a template, listing every problem as a field error.
fn checked(kind: EmailKind, body: &EmailTemplateBody) -> AppResult<EmailTemplate> {
    let template = EmailTemplate {
        subject: body.subject.trim().to_owned(),
        body: body.body.replace("\r\n", "\n").trim().to_owned(),
    };
    if let Err(problems) = template.validate(kind) {
        let mut errors = FormErrors::new();
        for problem in problems {
            let field = match problem.part() {
                commonground_domain::email_template::Part::Subject => "subject",
                commonground_domain::email_template::Part::Body => "body",
            };
            errors.add(field, problem.to_string());
        }
        return Err(errors.into());
    }
    Ok(template)
}

/// The wording a review uses for one email.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/emails/{kind}", operation_id = "getEmailTemplate", tag = "emails",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"), ("kind" = String, Path, description = "invitation, reminder, thank-you, session-invitation or action-reminder")),
    responses((status = 200, body = EmailTemplateInUse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_email_template(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<(i64, i64, String)>,
) -> AppResult<Json<EmailTemplateInUse>> {
    let kind = emails::kind_from_path(&path.2)?;
    in_use(&state, &runner, kind).await
}

/// Changes the wording of one email for this review; every problem is listed and nothing
/// changes if there is one (such as a placeholder that does not exist).
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/emails/{kind}", operation_id = "updateEmailTemplate", tag = "emails",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"), ("kind" = String, Path, description = "invitation, reminder, thank-you, session-invitation or action-reminder")),
    request_body = EmailTemplateBody,
    responses((status = 200, body = EmailTemplateInUse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_email_template(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<(i64, i64, String)>,
    Json(body): Json<EmailTemplateBody>,
) -> AppResult<Json<EmailTemplateInUse>> {
    let kind = emails::kind_from_path(&path.2)?;
    let template = checked(kind, &body)?;
    state
        .store
        .set_email_template(
            runner.member.org.id,
            runner.review.id,
            kind,
            Some(&template),
        )
        .await?;
    in_use(&state, &runner, kind).await
}

/// What to preview: a wording (the one in use if left out) for a participant (the first if
/// left out).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The wording to try; the review's current wording when absent.
    pub template: Option<EmailTemplateBody>,
    /// The participant to fill it in for.
    pub participant_id: Option<i64>,
}

/// An email filled in for one person. The link is an example, never their real link.
#[derive(Serialize, ToSchema)]
pub struct PreviewBody {
    /// The recipient.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part's content.
    pub html: String,
}

/// Fills in an email for one participant without sending or saving anything.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/emails/{kind}/preview", operation_id = "previewEmailTemplate", tag = "emails",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"), ("kind" = String, Path, description = "invitation, reminder, thank-you, session-invitation or action-reminder")),
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview_email_template(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<(i64, i64, String)>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Json<PreviewBody>> {
    // Read through a JSON object: serde would take a struct from an array too, and every field
    // here is optional, so `[null, null]` would pass for a request.
    let request: PreviewRequest = serde_json::from_value(serde_json::Value::Object(body))
        .map_err(|e| AppError::invalid("body", e.to_string()))?;
    let kind = emails::kind_from_path(&path.2)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let template = match request.template {
        Some(body) => checked(kind, &body)?,
        None => emails::template_in_use(&state, org, review, kind).await?.0,
    };
    let people = state.store.list_participants(org, review).await?;
    let asked = request.participant_id.map(ParticipantId);
    let person = emails::preview_person(&people, asked);
    if asked.is_some() && person.map(|p| p.id) != asked {
        return Err(AppError::invalid(
            "participant_id",
            "No participant of this review has that id",
        ));
    }
    let preview = emails::preview(&state, org, review, &template, person)
        .await?
        .map_err(|problems| {
            AppError::invalid(
                "body",
                problems
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })?;
    Ok(Json(PreviewBody {
        to: preview.to,
        subject: preview.subject,
        text: preview.text,
        html: preview.html_body,
    }))
}
