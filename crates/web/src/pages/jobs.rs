//! Background jobs for admins: what is queued, running, done and failed, with the error of a
//! failed job and a button to try it again. Organisation admins see their organisation's;
//! network admins see every job.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use commonground_domain::JobId;
use commonground_store::jobs::{JobScope, JobState, JobSummary};

use super::outbox::PageQuery;
use super::{Chrome, ListPage, ok, see_other};
use crate::dates::date_time;
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, OrgAdmin, Session, SignedIn};
use crate::mailing_status::job_label;
use crate::state::AppState;

/// A row of the jobs table.
pub struct JobRow {
    id: i64,
    label: &'static str,
    state: &'static str,
    failed: bool,
    when: String,
    attempts: String,
    progress: String,
    error: String,
}

/// The jobs page.
#[derive(Template)]
#[template(path = "pages/jobs.html")]
pub struct JobsPage {
    chrome: Chrome,
    org_id: Option<i64>,
    scope_name: String,
    base: String,
    jobs: Vec<JobRow>,
    page: i64,
    has_more: bool,
}

fn row(job: &JobSummary) -> JobRow {
    let (state, when) = match job.state {
        JobState::Queued if job.last_error.is_some() => (
            "Waiting to retry",
            format!("next try {}", date_time(job.run_at)),
        ),
        JobState::Queued => ("Queued", format!("runs {}", date_time(job.run_at))),
        JobState::Running => ("Running", format!("since {}", date_time(job.run_at))),
        JobState::Done => ("Done", job.finished_at.map(date_time).unwrap_or_default()),
        JobState::Failed => ("Failed", job.finished_at.map(date_time).unwrap_or_default()),
    };
    let p = job.progress;
    JobRow {
        id: job.id.0,
        label: job_label(&job.kind),
        state,
        failed: job.state == JobState::Failed,
        when,
        attempts: format!("{} of {}", job.attempts, job.max_attempts),
        progress: if p.total > 0 {
            format!(
                "{} of {} sent{}",
                p.delivered,
                p.total,
                if p.undelivered > 0 {
                    format!(", {} not delivered", p.undelivered)
                } else {
                    String::new()
                }
            )
        } else {
            String::new()
        },
        error: job.last_error.clone().unwrap_or_default(),
    }
}

async fn jobs_page(
    state: &AppState,
    session: &Session,
    scope: JobScope,
    scope_name: String,
    base: String,
    page: Option<i64>,
) -> AppResult<Response> {
    let page = ListPage::asked(page);
    let (limit, offset) = page.limit_offset();
    let mut jobs = state.store.list_jobs(scope, limit, offset).await?;
    let has_more = page.keep(&mut jobs);
    Ok(ok(JobsPage {
        chrome: Chrome::new(session, "Background jobs"),
        org_id: match scope {
            JobScope::Organisation(org) => Some(org.0),
            JobScope::Everything => None,
        },
        scope_name,
        base,
        jobs: jobs.iter().map(row).collect(),
        page: page.number,
        has_more,
    }))
}

/// `GET /organisations/{org_id}/jobs`
pub async fn list_organisation_jobs(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    jobs_page(
        &state,
        &admin.caller.session,
        JobScope::Organisation(admin.org.id),
        admin.org.name.clone(),
        format!("/organisations/{}/jobs", admin.org.id),
        query.page,
    )
    .await
}

/// `GET /jobs` (network admins)
pub async fn list_jobs(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    jobs_page(
        &state,
        &me.session,
        JobScope::Everything,
        String::new(),
        "/jobs".to_owned(),
        query.page,
    )
    .await
}

async fn retry(state: &AppState, scope: JobScope, id: i64, back: &str) -> AppResult<Response> {
    if !state.store.retry_job(scope, JobId(id)).await? {
        return Err(AppError::NotFound);
    }
    state.wake_jobs();
    Ok(see_other(back))
}

/// `POST /organisations/{org_id}/jobs/{job_id}/retry`
pub async fn retry_organisation_job(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, job_id)): Path<(i64, i64)>,
    _form: Form,
) -> AppResult<Response> {
    let back = format!("/organisations/{}/jobs", admin.org.id);
    retry(&state, JobScope::Organisation(admin.org.id), job_id, &back).await
}

/// `POST /jobs/{job_id}/retry` (network admins)
pub async fn retry_job(
    State(state): State<AppState>,
    me: SignedIn,
    Path(job_id): Path<i64>,
    _form: Form,
) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    retry(&state, JobScope::Everything, job_id, "/jobs").await
}
