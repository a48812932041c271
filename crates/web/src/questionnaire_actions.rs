//! Opening, closing and releasing a review's questionnaire, shared by the pages and the API.

use commonground_domain::JobId;
use commonground_domain::participants::Side;
use commonground_domain::review::QuestionnaireState;
use commonground_store::jobs::JobState;
use commonground_store::mailings::SEND_INVITATIONS;
use commonground_store::organisations::Organisation;
use commonground_store::participants::Participant;
use commonground_store::reviews::Review;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Caller, OrgMember};
use crate::state::AppState;

/// Opens the questionnaire (or, when open, invites people added since), with the planned close
/// if given; returns the job that emails the invitations, if anyone needs one. Refused once
/// results are released, or with nobody to ask.
pub async fn open(
    state: &AppState,
    org: &Organisation,
    review: &Review,
    closes_on: Option<i64>,
) -> AppResult<Option<JobId>> {
    if review.questionnaire == QuestionnaireState::Released {
        return Err(AppError::Conflict(
            "Results are released, so the questionnaire cannot reopen.".into(),
        ));
    }
    let sending = state
        .store
        .review_jobs(org.id, review.id)
        .await?
        .iter()
        .any(|job| {
            job.kind == SEND_INVITATIONS
                && matches!(job.state, JobState::Queued | JobState::Running)
        });
    if sending {
        return Err(AppError::Conflict(
            "Invitations are being sent. Anyone added meanwhile is included.".into(),
        ));
    }
    if review.questionnaire != QuestionnaireState::Closed {
        let message = if state.store.participant_count(org.id, review.id).await? == 0 {
            Some("Add participants before opening the questionnaire.")
        } else if review.questionnaire == QuestionnaireState::Open
            && state.store.uninvited_count(org.id, review.id).await? == 0
        {
            Some("Everyone on the list already has their link.")
        } else {
            None
        };
        if let Some(message) = message {
            return Err(AppError::Conflict(message.into()));
        }
    }
    let job = state
        .store
        .open_questionnaire(org.id, review.id, closes_on)
        .await?;
    state.wake_jobs();
    tracing::info!(review_id = %review.id, job_id = ?job.map(|j| j.0), "questionnaire opened");
    Ok(job)
}

/// Queues a reminder now to everyone who has not answered; the job, or `None` if nobody
/// needs one. Only while the questionnaire is open.
pub async fn remind_now(
    state: &AppState,
    org: &Organisation,
    review: &Review,
) -> AppResult<Option<JobId>> {
    if review.questionnaire != QuestionnaireState::Open {
        return Err(AppError::Conflict(
            "Reminders can only be sent while the questionnaire is open.".into(),
        ));
    }
    let job = state
        .store
        .queue_reminders(org.id, review.id, commonground_store::now() + 1, None)
        .await?;
    state.wake_jobs();
    Ok(job)
}

/// Closes an open questionnaire (the store mixes the answers as it does).
pub async fn close(state: &AppState, org: &Organisation, review: &Review) -> AppResult<()> {
    if review.questionnaire != QuestionnaireState::Open {
        return Err(AppError::Conflict(
            "Only an open questionnaire can be closed.".into(),
        ));
    }
    state.store.close_questionnaire(org.id, review.id).await?;
    state.wake_jobs();
    Ok(())
}

/// Releases the results of a closed questionnaire; it can never reopen afterwards.
pub async fn release<C: Caller>(
    state: &AppState,
    by: &OrgMember<C>,
    review: &Review,
) -> AppResult<()> {
    if review.questionnaire != QuestionnaireState::Closed {
        return Err(AppError::Conflict(
            "Close the questionnaire before releasing the results.".into(),
        ));
    }
    state.store.release_results(by.org.id, review.id).await?;
    let detail = format!("The review “{}”", review.title);
    audit::record_by(state, by, Action::ResultsReleased, None, &detail).await
}

/// How many of a group were invited and how many answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRate {
    /// The group's name.
    pub group: String,
    /// How many answered.
    pub answered: usize,
    /// How many were invited.
    pub invited: usize,
}

/// Who answered, counted by group, and who has not answered yet (never what anyone said).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseRates {
    /// How many were invited.
    pub invited: usize,
    /// How many answered.
    pub answered: usize,
    /// By clinical, finance, and management or other.
    pub by_side: Vec<GroupRate>,
    /// By division.
    pub by_division: Vec<GroupRate>,
    /// By role level.
    pub by_role_level: Vec<GroupRate>,
}

/// Counts answered and invited per group, groups in name order.
fn rates_by(invitees: &[Participant], group: impl Fn(&Participant) -> String) -> Vec<GroupRate> {
    let mut rows: Vec<GroupRate> = Vec::new();
    for person in invitees {
        let name = group(person);
        let index = if let Some(i) = rows.iter().position(|r| r.group == name) {
            i
        } else {
            rows.push(GroupRate {
                group: name,
                answered: 0,
                invited: 0,
            });
            rows.len() - 1
        };
        rows[index].invited += 1;
        rows[index].answered += usize::from(person.responded);
    }
    rows.sort_by(|a, b| a.group.cmp(&b.group));
    rows
}

/// The response rate of a review's participants.
#[must_use]
pub fn response_rates(invitees: &[Participant]) -> ResponseRates {
    ResponseRates {
        invited: invitees.len(),
        answered: invitees.iter().filter(|p| p.responded).count(),
        by_side: rates_by(invitees, |p| match p.profession.side() {
            Side::Clinical => "Clinical".to_owned(),
            Side::Finance => "Finance".to_owned(),
            Side::Other => "Management and other".to_owned(),
        }),
        by_division: rates_by(invitees, |p| {
            p.division.clone().unwrap_or_else(|| "Not given".to_owned())
        }),
        by_role_level: rates_by(invitees, |p| p.role_level.label().to_owned()),
    }
}
