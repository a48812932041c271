//! A review's results as both front doors show them: nothing but counts until the
//! questionnaire closes; then the anonymity-checked figures, and comments only when at least
//! the minimum reporting group answered, in a fresh random order every time.

use commonground_domain::instrument::reference_data;
use commonground_domain::results::{Results, compute};
use commonground_domain::review::QuestionnaireState;
use commonground_store::organisations::Organisation;
use commonground_store::reviews::Review;
use rand::seq::SliceRandom;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The comments given to one prompt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PromptComments {
    /// The prompt's key.
    pub prompt: String,
    /// The question asked.
    pub question: String,
    /// What people wrote, in random order, without dates.
    pub comments: Vec<String>,
}

/// What may be shown of a review's results now.
pub enum Loaded {
    /// The questionnaire has not closed: only how many answered.
    NotYet {
        /// How many answered so far.
        answered: i64,
    },
    /// Closed or released.
    Ready {
        /// The figures (or "too few").
        results: Results,
        /// Comments by prompt; empty when too few people answered.
        comments: Vec<PromptComments>,
    },
}

/// Loads and computes a review's results, applying every rule above.
pub async fn load(state: &AppState, org: &Organisation, review: &Review) -> AppResult<Loaded> {
    if !matches!(
        review.questionnaire,
        QuestionnaireState::Closed | QuestionnaireState::Released
    ) {
        return Ok(Loaded::NotYet {
            answered: state.store.response_count(org.id, review.id).await?,
        });
    }
    let instrument = state
        .store
        .review_instrument(org.id, review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let _slot = state
        .results_slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let responses = state.store.responses(org.id, review.id).await?;
    let min_group = org.min_reporting_group as usize;
    // Hundreds of milliseconds of arithmetic at 10,000 answers: off the async threads, so the
    // questionnaire and other pages keep being served meanwhile.
    let computing = instrument.clone();
    let results = tokio::task::spawn_blocking(move || {
        compute(&computing, &reference_data(), &responses, min_group)
    })
    .await
    .map_err(|e| AppError::Internal(format!("results: {e}")))?;
    let comments = if matches!(results, Results::Shown(_)) {
        let mut stored = state.store.comments(org.id, review.id).await?;
        stored.shuffle(&mut rand::rng());
        instrument
            .prompts
            .iter()
            .map(|prompt| PromptComments {
                prompt: prompt.key.clone(),
                question: prompt.question.clone(),
                comments: stored
                    .iter()
                    .filter(|(key, _)| *key == prompt.key)
                    .map(|(_, body)| body.clone())
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Loaded::Ready { results, comments })
}
