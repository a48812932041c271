//! A review's results.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use commonground_domain::results::Results;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::review_results::{Loaded, ShuffledComments, load};
use crate::state::AppState;

/// Results and comments of a closed questionnaire (sent from the kept results, not copied).
#[derive(Serialize, ToSchema)]
pub struct ResultsBody<'a> {
    /// `status` is `too_few` (with `responses` and `min_group`) or `shown` (with every figure
    /// that passed the anonymity rules; hidden cells carry no numbers).
    #[schema(value_type = Object)]
    pub results: &'a Results,
    /// Comments by prompt in random order, only when results are shown.
    pub comments: Vec<ShuffledComments<'a>>,
}

/// Returns the results once the questionnaire has closed (409 before: scores are never shown
/// while answers are still coming in).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/results", operation_id = "getResults", tag = "results",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = ResultsBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn get_results(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Response> {
    match load(&state, &runner.member.org, &runner.review).await? {
        Loaded::NotYet { answered } => Err(AppError::Conflict(format!(
            "Results show when the questionnaire closes. {answered} answered so far."
        ))),
        Loaded::Ready(ready) => Ok(Json(ResultsBody {
            results: ready.results(),
            comments: ready.comments(),
        })
        .into_response()),
    }
}
