//! The cards of the two card exercises: the shipped scenario and factor prompt cards, and the
//! organisation's own, which champions and admins can add.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::cards::{CardKind, shipped_cards};
use commonground_domain::instrument::default_instrument;

use super::{Chrome, invalid, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewCreator, SignedIn};
use crate::forms::FormErrors;
use crate::sessions::{self, Card};
use crate::state::AppState;

/// The cards page.
#[derive(Template)]
#[template(path = "pages/cards.html")]
pub struct CardsPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    scenario_instructions: String,
    prompt_instructions: String,
    scenarios: Vec<Card>,
    prompts: Vec<Card>,
    factors: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    form: (String, String, String, Vec<String>),
}

async fn page(
    state: &AppState,
    creator: &ReviewCreator<SignedIn>,
    errors: FormErrors,
    form: (String, String, String, Vec<String>),
) -> AppResult<CardsPage> {
    let deck = sessions::deck(state, creator.0.org.id).await?;
    let (scenarios, prompts): (Vec<Card>, Vec<Card>) = deck
        .into_iter()
        .partition(|c| c.kind == CardKind::Scenario.as_str());
    let shipped = shipped_cards();
    Ok(CardsPage {
        chrome: Chrome::with_errors(&creator.0.caller.session, "Cards for the sessions", &errors),
        errors,
        org_id: creator.0.org.id.0,
        scenario_instructions: shipped.scenario_instructions.clone(),
        prompt_instructions: shipped.prompt_instructions.clone(),
        scenarios,
        prompts,
        factors: default_instrument()
            .factors
            .iter()
            .map(|f| (f.key.clone(), f.title.clone()))
            .collect(),
        kinds: CardKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        form,
    })
}

/// `GET /organisations/{org_id}/cards`
pub async fn list_cards(
    State(state): State<AppState>,
    creator: ReviewCreator<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(page(
        &state,
        &creator,
        FormErrors::new(),
        Default::default(),
    )
    .await?))
}

/// `POST /organisations/{org_id}/cards`
pub async fn create_card(
    State(state): State<AppState>,
    creator: ReviewCreator<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let typed = (
        form.get("kind").to_owned(),
        form.get("title").to_owned(),
        form.get("text").to_owned(),
        form.all("factors")
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    );
    let factors: Vec<&str> = typed.3.iter().map(String::as_str).collect();
    let added = sessions::add_card(
        &state,
        creator.0.org.id,
        creator.0.caller.user.id,
        &typed.0,
        &typed.1,
        &typed.2,
        &factors,
    )
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!(
            "/organisations/{}/cards#own",
            creator.0.org.id
        ))),
        Err(AppError::Invalid(problems)) => {
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                errors.add(&field, message);
            }
            Ok(invalid(page(&state, &creator, errors, typed).await?))
        }
        Err(e) => Err(e),
    }
}
