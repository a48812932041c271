//! Reviews: the list, starting one, its overview with the step tracker, details and champions,
//! and the readiness checklist (step 1 of the cycle).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::review::{FocusArea, Progress, ReadinessItem, STEPS, current_step};
use commonground_domain::{OrganisationId, ReviewId, Role};
use commonground_store::instruments::InstrumentVersion;
use commonground_store::members::Member;
use commonground_store::reviews::{Champion, Review};

use super::{Chrome, invalid, ok, see_other};
use crate::error::AppResult;
use crate::extractors::{Form, OrgMember, ReviewCreator, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::inputs::NumberText;
use crate::review_input::{ReviewInput, invite_champions, resolve_version, reviews_visible_to};
use crate::state::AppState;

/// A checkbox or select option.
pub struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// One champion's fieldset.
pub struct ChampionField {
    field: &'static str,
    legend: &'static str,
    hint: &'static str,
    options: Vec<ChampionOption>,
    email: String,
}

/// A member who can be chosen as champion.
pub struct ChampionOption {
    value: String,
    label: String,
    selected: bool,
}

/// The reviews of an organisation that the person may see.
#[derive(Template)]
#[template(path = "pages/reviews.html")]
pub struct ReviewsPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    is_admin: bool,
    can_create: bool,
    reviews: Vec<Review>,
}

/// Starting a review, or changing its details.
#[derive(Template)]
#[template(path = "pages/review_form.html")]
pub struct ReviewFormPage {
    chrome: Chrome,
    errors: FormErrors,
    org_name: String,
    action: String,
    back: String,
    button: &'static str,
    title: String,
    scope: String,
    focus_options: Vec<Choice>,
    champions: Vec<ChampionField>,
    /// Questionnaire versions to choose from (new reviews only; a review keeps its version).
    versions: Vec<ChampionOption>,
}

/// A review's overview.
#[derive(Template)]
#[template(path = "pages/review.html")]
pub struct ReviewPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    review: Review,
    clinical: String,
    finance: String,
    steps: [&'static str; 7],
    current_step: usize,
    next_action: &'static str,
    readiness_done: usize,
    readiness_total: usize,
}

/// A readiness item on the checklist form.
pub struct ReadinessRow {
    key: &'static str,
    label: &'static str,
    note_field: String,
    note: String,
    done: bool,
}

/// The readiness checklist.
#[derive(Template)]
#[template(path = "pages/readiness.html")]
pub struct ReadinessPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    items: Vec<ReadinessRow>,
}

fn input_from(form: &Form) -> ReviewInput {
    ReviewInput {
        title: form.get("title").to_owned(),
        scope: form.get("scope").to_owned(),
        focus_areas: form
            .all("focus_areas")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        clinical_champion: NumberText(form.get("clinical_champion").to_owned()),
        clinical_champion_email: form.get("clinical_champion_email").to_owned(),
        finance_champion: NumberText(form.get("finance_champion").to_owned()),
        finance_champion_email: form.get("finance_champion_email").to_owned(),
        instrument_version: NumberText(form.get("instrument_version").to_owned()),
    }
}

fn form_page(
    member: &OrgMember<SignedIn>,
    members: &[Member],
    input: &ReviewInput,
    errors: FormErrors,
    (title, action, back, button): (&str, String, String, &'static str),
) -> ReviewFormPage {
    let options = |selected: &str| {
        members
            .iter()
            .filter(|m| m.roles.contains(&Role::Champion))
            .map(|m| ChampionOption {
                value: m.user.id.to_string(),
                label: format!("{} ({})", m.user.name, m.user.email),
                selected: selected == m.user.id.to_string(),
            })
            .collect()
    };
    ReviewFormPage {
        chrome: Chrome::with_errors(&member.caller.session, title, &errors),
        errors,
        org_name: member.org.name.clone(),
        action,
        back,
        button,
        title: input.title.clone(),
        scope: input.scope.clone(),
        focus_options: FocusArea::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str().to_owned(),
                label: a.label().to_owned(),
                checked: input.focus_areas.iter().any(|f| f == a.as_str()),
            })
            .collect(),
        versions: Vec::new(),
        champions: vec![
            ChampionField {
                field: "clinical_champion",
                legend: "Clinical champion",
                hint: "A clinical lead who will run the review with the finance champion.",
                options: options(&input.clinical_champion.0),
                email: input.clinical_champion_email.clone(),
            },
            ChampionField {
                field: "finance_champion",
                legend: "Finance champion",
                hint: "A finance lead, such as the team's finance business partner.",
                options: options(&input.finance_champion.0),
                email: input.finance_champion_email.clone(),
            },
        ],
    }
}

/// The questionnaire versions as select options, the chosen one (or the newest) selected.
fn version_options(versions: &[InstrumentVersion], input: &ReviewInput) -> Vec<ChampionOption> {
    let chosen = input.instrument_version.0.trim();
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| ChampionOption {
            value: v.id.to_string(),
            label: format!("{} (version {})", v.title, v.version),
            selected: if chosen.is_empty() {
                i == 0 && v.organisation_id.is_none()
            } else {
                chosen == v.id.to_string()
            },
        })
        .collect()
}

/// The new-review form's title, action, back link and button.
fn new_form(org: OrganisationId) -> (&'static str, String, String, &'static str) {
    let reviews = format!("/organisations/{org}/reviews");
    ("Start a review", reviews.clone(), reviews, "Start review")
}

/// The edit form's title, action, back link and button.
fn edit_form(
    org: OrganisationId,
    review: ReviewId,
) -> (&'static str, String, String, &'static str) {
    let path = format!("/organisations/{org}/reviews/{review}");
    (
        "Review details and champions",
        format!("{path}/edit"),
        path,
        "Save changes",
    )
}

/// `GET /organisations/{org_id}/reviews`
pub async fn list_reviews(
    State(state): State<AppState>,
    member: OrgMember<SignedIn>,
) -> AppResult<Response> {
    let reviews =
        reviews_visible_to(&state, &member.org, member.caller.user.id, &member.roles).await?;
    Ok(ok(ReviewsPage {
        chrome: Chrome::new(&member.caller.session, "Reviews"),
        org_id: member.org.id.0,
        org_name: member.org.name.clone(),
        is_admin: member.is_admin(member.caller.user.is_network_admin),
        can_create: true,
        reviews,
    }))
}

/// `GET /organisations/{org_id}/reviews/new`
pub async fn new_review(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<SignedIn>,
) -> AppResult<Response> {
    let members = state.store.list_members(member.org.id).await?;
    // A champion starting a review is most often its clinical lead: offer them first.
    let me = if member.roles.contains(&Role::Champion) {
        member.caller.user.id.to_string()
    } else {
        String::new()
    };
    let input = ReviewInput {
        clinical_champion: NumberText(me),
        ..ReviewInput::default()
    };
    let form = new_form(member.org.id);
    let mut page = form_page(&member, &members, &input, FormErrors::new(), form);
    page.versions = version_options(
        &state.store.instrument_versions(member.org.id).await?,
        &input,
    );
    Ok(ok(page))
}

/// `POST /organisations/{org_id}/reviews`
pub async fn create_review(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let members = state.store.list_members(member.org.id).await?;
    let input = input_from(&form);
    let org = member.org.id;
    let parsed = match input.parse(&members) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let versions = state.store.instrument_versions(org).await?;
            let mut page = form_page(&member, &members, &input, errors, new_form(org));
            page.versions = version_options(&versions, &input);
            return Ok(invalid(page));
        }
    };
    let version = match resolve_version(&state, org, &input).await? {
        Ok(version) => version,
        Err(errors) => {
            let versions = state.store.instrument_versions(org).await?;
            let mut page = form_page(&member, &members, &input, errors, new_form(org));
            page.versions = version_options(&versions, &input);
            return Ok(invalid(page));
        }
    };
    let id = state
        .store
        .create_review(org, &parsed.fields(), version, member.caller.user.id)
        .await?;
    invite_champions(&state, &member.org, &member.caller.user, &parsed).await?;
    tracing::info!(organisation_id = %org, review_id = %id, "review created");
    Ok(see_other(&format!("/organisations/{org}/reviews/{id}")))
}

fn champion_text(champion: &Champion) -> String {
    match champion {
        Champion::Member { name, .. } => name.clone(),
        Champion::Invited { email } => format!("{email} (invited, not signed up yet)"),
        Champion::Missing => "Not named yet".to_owned(),
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}`
pub async fn show_review(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let ReviewRunner { member, review } = runner;
    let readiness = state.store.readiness(member.org.id, review.id).await?;
    let (current, next_action) = current_step(Progress {
        has_both_champions: review.clinical_champion.is_named()
            && review.finance_champion.is_named(),
        readiness_done: readiness.len(),
        participants: usize::try_from(review.participants).unwrap_or(0),
        questionnaire: review.questionnaire,
    });
    Ok(ok(ReviewPage {
        chrome: Chrome::new(&member.caller.session, review.title.clone()),
        org_id: member.org.id.0,
        org_name: member.org.name.clone(),
        clinical: champion_text(&review.clinical_champion),
        finance: champion_text(&review.finance_champion),
        review,
        steps: STEPS,
        current_step: current,
        next_action,
        readiness_done: readiness.len(),
        readiness_total: ReadinessItem::ALL.len(),
    }))
}

/// `GET /organisations/{org_id}/reviews/{review_id}/edit`
pub async fn edit_review(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let ReviewRunner { member, review } = runner;
    let members = state.store.list_members(member.org.id).await?;
    let input = ReviewInput::from_review(&review);
    let form = edit_form(member.org.id, review.id);
    Ok(ok(form_page(
        &member,
        &members,
        &input,
        FormErrors::new(),
        form,
    )))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/edit`
pub async fn update_review(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let ReviewRunner { member, review } = runner;
    let members = state.store.list_members(member.org.id).await?;
    let input = input_from(&form);
    let parsed = match input.parse(&members) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let form = edit_form(member.org.id, review.id);
            return Ok(invalid(form_page(&member, &members, &input, errors, form)));
        }
    };
    state
        .store
        .update_review(member.org.id, review.id, &parsed.fields())
        .await?;
    invite_champions(&state, &member.org, &member.caller.user, &parsed).await?;
    Ok(see_other(&format!(
        "/organisations/{}/reviews/{}",
        member.org.id, review.id
    )))
}

fn readiness_page(
    runner: &ReviewRunner<SignedIn>,
    ticked: &[(ReadinessItem, String)],
    errors: FormErrors,
) -> ReadinessPage {
    ReadinessPage {
        chrome: Chrome::with_errors(
            &runner.member.caller.session,
            "Readiness checklist",
            &errors,
        ),
        errors,
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        items: ReadinessItem::ALL
            .iter()
            .map(|item| {
                let found = ticked.iter().find(|(i, _)| i == item);
                ReadinessRow {
                    key: item.as_str(),
                    label: item.label(),
                    note_field: format!("note-{}", item.as_str()),
                    note: found.map(|(_, n)| n.clone()).unwrap_or_default(),
                    done: found.is_some(),
                }
            })
            .collect(),
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/readiness`
pub async fn edit_readiness(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let ticked = state
        .store
        .readiness(runner.member.org.id, runner.review.id)
        .await?;
    Ok(ok(readiness_page(&runner, &ticked, FormErrors::new())))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/readiness`
pub async fn update_readiness(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let mut ticked = Vec::new();
    for key in form.all("items") {
        match ReadinessItem::parse(key) {
            Ok(item) => {
                let field = format!("note-{}", item.as_str());
                let note = form.get(&field).trim().to_owned();
                if note.chars().count() > 300 {
                    errors.add(&field, "Note must be 300 characters or fewer");
                }
                ticked.push((item, note));
            }
            Err(e) => errors.add("items", e.0),
        }
    }
    if !errors.is_empty() {
        return Ok(invalid(readiness_page(&runner, &ticked, errors)));
    }
    state
        .store
        .set_readiness(runner.member.org.id, runner.review.id, &ticked)
        .await?;
    Ok(see_other(&format!(
        "/organisations/{}/reviews/{}",
        runner.member.org.id, runner.review.id
    )))
}
