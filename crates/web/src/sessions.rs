//! What the session pages and the API share: the card deck (shipped cards and the
//! organisation's own), each session's plan, and capture.

use commonground_domain::capture::{CaptureKind, note};
use commonground_domain::cards::{CardKind, NewCard, shipped_cards};
use commonground_domain::instrument::default_instrument;
use commonground_domain::review::ReadinessItem;
use commonground_domain::session_plan::{SessionPlan, template};
use commonground_domain::{CaptureItemId, OrganisationId, ReviewId, UserId};
use commonground_store::live::SessionKey;
use commonground_store::now;
use commonground_store::team_sessions::Projector;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A card of either exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Card {
    /// `scenario:KEY` or `prompt:KEY` for shipped cards, `own:ID` for the organisation's.
    pub id: String,
    /// `scenario` or `prompt`.
    pub kind: String,
    /// Its title (a prompt card's is its factor's title).
    pub title: String,
    /// The situation, or the question.
    pub text: String,
    /// The factors it touches (keys of the team questionnaire).
    pub factors: Vec<String>,
    /// Whether the organisation added it.
    pub own: bool,
}

/// Every card an organisation's sessions can use: shipped scenarios, shipped prompts, then its
/// own cards.
pub async fn deck(state: &AppState, org: OrganisationId) -> AppResult<Vec<Card>> {
    let shipped = shipped_cards();
    let instrument = default_instrument();
    let factor_title = |key: &str| {
        instrument
            .factors
            .iter()
            .find(|f| f.key == key)
            .map_or_else(|| key.to_owned(), |f| f.title.clone())
    };
    let mut cards: Vec<Card> = shipped
        .scenarios
        .iter()
        .map(|s| Card {
            id: format!("scenario:{}", s.key),
            kind: CardKind::Scenario.as_str().to_owned(),
            title: s.title.clone(),
            text: s.situation.clone(),
            factors: s.factors.clone(),
            own: false,
        })
        .collect();
    cards.extend(shipped.prompts.iter().map(|p| Card {
        id: format!("prompt:{}", p.key),
        kind: CardKind::Prompt.as_str().to_owned(),
        title: factor_title(&p.factor),
        text: p.question.clone(),
        factors: vec![p.factor.clone()],
        own: false,
    }));
    cards.extend(state.store.own_cards(org).await?.into_iter().map(|c| Card {
        id: format!("own:{}", c.id),
        kind: c.kind,
        title: c.title,
        text: c.body,
        factors: c.factors,
        own: true,
    }));
    Ok(cards)
}

/// The factor keys cards may name (the default team questionnaire's).
#[must_use]
pub fn factor_keys() -> Vec<String> {
    default_instrument()
        .factors
        .iter()
        .map(|f| f.key.clone())
        .collect()
}

/// Adds an organisation's own card; field errors as (field, message).
pub async fn add_card(
    state: &AppState,
    org: OrganisationId,
    by: UserId,
    kind: &str,
    title: &str,
    text: &str,
    factors: &[&str],
) -> AppResult<Card> {
    let known = factor_keys();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let card = NewCard::parse(kind, title, text, factors, &known).map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|(field, e)| (field.to_owned(), e.0))
                .collect(),
        )
    })?;
    let id = state
        .store
        .add_card(
            org,
            card.kind.as_str(),
            &card.title,
            &card.text,
            &card.factors,
            by,
        )
        .await?;
    Ok(Card {
        id: format!("own:{id}"),
        kind: card.kind.as_str().to_owned(),
        title: card.title,
        text: card.text,
        factors: card.factors,
        own: true,
    })
}

/// A session's plan: the one saved, or a fresh one from its template (session 1 or 2) naming
/// the support person from the readiness checklist. The flag says whether it was saved.
pub async fn plan(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
) -> AppResult<(SessionPlan, bool)> {
    let sessions = state.store.team_sessions(org, review).await?;
    let saved = sessions[usize::from(number.clamp(1, 2) - 1)]
        .plan
        .as_deref()
        .and_then(|json| serde_json::from_str::<SessionPlan>(json).ok());
    match saved {
        Some(plan) => Ok((plan, true)),
        None => Ok((fresh_plan(state, org, review, number, None).await?, false)),
    }
}

/// A plan from a template (by default the session's own), naming the support person.
pub async fn fresh_plan(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
    template_key: Option<&str>,
) -> AppResult<SessionPlan> {
    let key = template_key.map_or_else(|| format!("session-{number}"), str::to_owned);
    let Some(template) = template(&key) else {
        return Err(AppError::Invalid(vec![(
            "template".into(),
            "Choose one of the plan templates".into(),
        )]));
    };
    let support = state
        .store
        .readiness(org, review)
        .await?
        .into_iter()
        .find(|(item, _)| *item == ReadinessItem::SupportPerson)
        .map(|(_, note)| note)
        .filter(|note| !note.trim().is_empty());
    Ok(SessionPlan::from_template(template, support.as_deref()))
}

/// Saves a checked plan.
pub async fn save_plan(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
    plan: &SessionPlan,
) -> AppResult<()> {
    plan.check().map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|(field, e)| (field.to_owned(), e.0))
                .collect(),
        )
    })?;
    let json = serde_json::to_string(plan).map_err(|e| AppError::Internal(e.to_string()))?;
    if !state
        .store
        .save_session_plan(org, review, number, &json)
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The most notes one session takes in a minute, from everyone together.
pub const NOTES_PER_MINUTE: i64 = 60;

/// Adds a captured note and tells this instance's live pages (other instances hear through
/// the database).
pub async fn capture(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
    kind: &str,
    text: &str,
) -> AppResult<CaptureItemId> {
    let mut errors = Vec::new();
    let kind = CaptureKind::parse(kind).map_err(|e| errors.push(("kind".to_owned(), e.0)));
    let text = note(text, "the note").map_err(|e| errors.push(("text".to_owned(), e.0)));
    let (Ok(kind), Ok(text)) = (kind, text) else {
        return Err(AppError::Invalid(errors));
    };
    // A room of note takers writes a few notes a minute; a leaked note takers' link must not
    // be able to flood the projector.
    let recent = state
        .store
        .capture_count_since(review, number, now() - 60)
        .await?;
    if recent >= NOTES_PER_MINUTE {
        return Err(AppError::TooManyRequests(format!(
            "This session has had {NOTES_PER_MINUTE} notes in the last minute. Wait a minute, then add yours."
        )));
    }
    let id = state
        .store
        .add_capture_item(org, review, number, kind.as_str(), &text)
        .await?
        .ok_or(AppError::NotFound)?;
    state.live.publish(SessionKey { review, number });
    Ok(id)
}

/// Removes a captured note and tells this instance's live pages. Not found when the session
/// has no such note.
pub async fn remove_note(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
    item: CaptureItemId,
) -> AppResult<()> {
    if !state
        .store
        .delete_capture_item(org, review, number, item)
        .await?
    {
        return Err(AppError::NotFound);
    }
    state.live.publish(SessionKey { review, number });
    Ok(())
}

/// Sets what a session's projector shows and tells this instance's live pages.
pub async fn set_projector(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    number: u8,
    projector: &Projector,
) -> AppResult<()> {
    if !state
        .store
        .set_projector(org, review, number, projector)
        .await?
    {
        return Err(AppError::NotFound);
    }
    state.live.publish(SessionKey { review, number });
    Ok(())
}
