//! Background jobs of an organisation: list, follow one, and try a failed one again.

use axum::Json;
use axum::extract::{Path, Query, State};
use commonground_domain::JobId;
use commonground_store::jobs::JobScope;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, Caller, OrgAdmin, OrgMember};
use crate::mailing_status::JobBody;
use crate::state::AppState;

/// Paging of the job list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobListQuery {
    /// At most this many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Skip this many (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Lists the organisation's jobs, newest first (delivered single emails are left out).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/jobs", operation_id = "listJobs", tag = "jobs",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), JobListQuery),
    responses((status = 200, body = [JobBody]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Query(query): Query<JobListQuery>,
) -> AppResult<Json<Vec<JobBody>>> {
    let (limit, offset) = super::outbox::checked_paging(query.limit, query.offset)?;
    let jobs = state
        .store
        .list_jobs(JobScope::Organisation(admin.org.id), limit, offset)
        .await?;
    Ok(Json(jobs.iter().map(JobBody::from).collect()))
}

/// One job with its progress: champions may follow the jobs of reviews they run, admins any of
/// the organisation's.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/jobs/{job_id}", operation_id = "getJob", tag = "jobs",
    security(("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("job_id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = JobBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_job(
    State(state): State<AppState>,
    member: OrgMember<ApiUser>,
    Path(ids): Path<(i64, i64)>,
) -> AppResult<Json<JobBody>> {
    let job = state
        .store
        .get_job(JobScope::Organisation(member.org.id), JobId(ids.1))
        .await?
        .ok_or(AppError::NotFound)?;
    let user = member.caller.user();
    let allowed = member.is_admin(user.is_network_admin)
        || match job.review {
            Some(review) => state
                .store
                .get_review(member.org.id, review)
                .await?
                .is_some_and(|r| r.is_run_by(user.id)),
            None => false,
        };
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(Json(JobBody::from(&job)))
}

/// Tries a failed job again now, with its attempts counted afresh.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/jobs/{job_id}/retry", operation_id = "retryJob", tag = "jobs",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("job_id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = JobBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn retry_job(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Path(ids): Path<(i64, i64)>,
) -> AppResult<Json<JobBody>> {
    let scope = JobScope::Organisation(admin.org.id);
    let id = JobId(ids.1);
    let job = state
        .store
        .get_job(scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !state.store.retry_job(scope, id).await? {
        return Err(AppError::Conflict(format!(
            "Only a failed job can be tried again; this one is {}.",
            job.state.as_str()
        )));
    }
    state.wake_jobs();
    let job = state
        .store
        .get_job(scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(JobBody::from(&job)))
}
