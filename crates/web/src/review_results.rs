//! A review's results as both front doors show them: nothing but counts until the
//! questionnaire closes; then the anonymity-checked figures, and comments only when at least
//! the minimum reporting group answered, in a fresh random order every time.

use commonground_domain::instrument::reference_data;
use commonground_domain::results::{Results, compute};
use commonground_domain::review::QuestionnaireState;
use commonground_store::organisations::Organisation;
use commonground_store::reviews::Review;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rand::seq::SliceRandom;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The comments given to one prompt, as kept (in stored order, without dates).
struct PromptComments {
    prompt: String,
    question: String,
    comments: Vec<String>,
}

/// What may be shown of a review's results now.
pub enum Loaded {
    /// The questionnaire has not closed: only how many answered.
    NotYet {
        /// How many answered so far.
        answered: i64,
    },
    /// Closed or released.
    Ready(Ready),
}

/// A closed review's results as kept, shared by every request that shows them.
pub struct Ready {
    kept: Arc<Computed>,
}

impl Ready {
    /// The figures (or "too few").
    #[must_use]
    pub fn results(&self) -> &Results {
        &self.kept.results
    }

    /// Comments by prompt, each list in a fresh random order; none when too few answered.
    #[must_use]
    pub fn comments(&self) -> Vec<ShuffledComments<'_>> {
        let mut rng = rand::rng();
        self.kept
            .comments
            .iter()
            .map(|prompt| {
                let mut comments: Vec<&str> = prompt.comments.iter().map(String::as_str).collect();
                comments.shuffle(&mut rng);
                ShuffledComments {
                    prompt: &prompt.prompt,
                    question: &prompt.question,
                    comments,
                }
            })
            .collect()
    }
}

/// One prompt's comments, in a fresh random order for every request.
#[derive(Serialize, ToSchema)]
pub struct ShuffledComments<'a> {
    /// The prompt's key.
    pub prompt: &'a str,
    /// The question asked.
    pub question: &'a str,
    /// What people wrote, in random order, without dates.
    pub comments: Vec<&'a str>,
}

/// Computed results kept between requests, and the limit on computing them.
///
/// A review's answers only ever grow (they change only while the questionnaire is open, and
/// reordering at close keeps the same answers), so the number of answers identifies them: a
/// kept result is reused while the review still has exactly the answers it was computed from
/// and the organisation's minimum reporting group is unchanged. Every instance keeps its own.
pub struct ResultsCache {
    kept: Mutex<HashMap<i64, Arc<Computed>>>,
    /// Each computation holds a review's answers in memory and keeps a core busy, so more than
    /// a few at a time only cost memory and slow every other request.
    slots: tokio::sync::Semaphore,
}

/// One review's figures and comments, as computed.
struct Computed {
    at: Instant,
    answers: usize,
    min_group: usize,
    results: Results,
    /// Comments by prompt, in stored order: each request shuffles its own copy.
    comments: Vec<PromptComments>,
}

/// Reviews whose results are kept at once; the least recently computed goes first.
const KEPT_REVIEWS: usize = 32;

impl ResultsCache {
    /// An empty cache computing at most `at_once` results at a time.
    #[must_use]
    pub fn new(at_once: usize) -> Self {
        Self {
            kept: Mutex::new(HashMap::new()),
            slots: tokio::sync::Semaphore::new(at_once),
        }
    }

    fn get(&self, review: i64, answers: usize, min_group: usize) -> Option<Arc<Computed>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&review)
            .filter(|c| c.answers == answers && c.min_group == min_group)
            .cloned()
    }

    fn keep(&self, review: i64, computed: Arc<Computed>) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= KEPT_REVIEWS && !kept.contains_key(&review) {
            let oldest = kept.iter().min_by_key(|(_, c)| c.at).map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                kept.remove(&oldest);
            }
        }
        kept.insert(review, computed);
    }
}

/// Loads a review's results, applying every rule above: computed once per set of answers.
pub async fn load(state: &AppState, org: &Organisation, review: &Review) -> AppResult<Loaded> {
    let answered = state.store.response_count(org.id, review.id).await?;
    if !matches!(
        review.questionnaire,
        QuestionnaireState::Closed | QuestionnaireState::Released
    ) {
        return Ok(Loaded::NotYet { answered });
    }
    let min_group = org.min_reporting_group as usize;
    let answers = usize::try_from(answered).unwrap_or_default();
    let kept = kept_or_computed(state, org, review, answers, min_group).await?;
    Ok(Loaded::Ready(Ready { kept }))
}

/// The kept figures for exactly these answers, or new ones (one computation per set of
/// answers, however many ask at once).
async fn kept_or_computed(
    state: &AppState,
    org: &Organisation,
    review: &Review,
    answers: usize,
    min_group: usize,
) -> AppResult<Arc<Computed>> {
    let cache = &state.results;
    if let Some(computed) = cache.get(review.id.0, answers, min_group) {
        return Ok(computed);
    }
    let _slot = cache
        .slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Requests that waited for a slot find what the one before them computed.
    if let Some(computed) = cache.get(review.id.0, answers, min_group) {
        return Ok(computed);
    }
    let computed = Arc::new(compute_now(state, org, review, min_group).await?);
    cache.keep(review.id.0, computed.clone());
    Ok(computed)
}

/// Reads every answer and comment and computes the figures.
async fn compute_now(
    state: &AppState,
    org: &Organisation,
    review: &Review,
    min_group: usize,
) -> AppResult<Computed> {
    let instrument = state
        .store
        .review_instrument(org.id, review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let responses = state.store.responses(org.id, review.id).await?;
    let answers = responses.len();
    // Hundreds of milliseconds of arithmetic at 10,000 answers: off the async threads, so the
    // questionnaire and other pages keep being served meanwhile.
    let computing = instrument.clone();
    let results = tokio::task::spawn_blocking(move || {
        compute(&computing, &reference_data(), &responses, min_group)
    })
    .await
    .map_err(|e| AppError::Internal(format!("results: {e}")))?;
    let comments = if matches!(results, Results::Shown(_)) {
        let stored = state.store.comments(org.id, review.id).await?;
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
    Ok(Computed {
        at: Instant::now(),
        answers,
        min_group,
        results,
        comments,
    })
}
