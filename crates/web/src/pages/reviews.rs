//! Reviews: the list, starting one, its overview with the step tracker, details and champions,
//! and the readiness checklist (step 1 of the cycle).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::instrument::default_instrument;
use commonground_domain::review::{
    FocusArea, Progress, ReadinessItem, ReviewScope, ReviewTitle, STEPS, current_step,
    parse_focus_areas,
};
use commonground_domain::{EmailAddress, Role, RoleSet, UserId};
use commonground_store::members::Member;
use commonground_store::reviews::{Champion, ChampionChoice, Review, ReviewFields};

use super::{Chrome, invalid, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, OrgMember, ReviewCreator, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::invitations::send_invitation;
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

/// What the review form holds, as typed.
struct ReviewInput {
    title: String,
    scope: String,
    focus_areas: Vec<String>,
    clinical: String,
    clinical_email: String,
    finance: String,
    finance_email: String,
}

impl ReviewInput {
    fn from_form(form: &Form) -> Self {
        Self {
            title: form.get("title").to_owned(),
            scope: form.get("scope").to_owned(),
            focus_areas: form
                .all("focus_areas")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            clinical: form.get("clinical_champion").to_owned(),
            clinical_email: form.get("clinical_champion_email").to_owned(),
            finance: form.get("finance_champion").to_owned(),
            finance_email: form.get("finance_champion_email").to_owned(),
        }
    }

    fn from_review(review: &Review) -> Self {
        let split = |c: &Champion| match c {
            Champion::Member { id, .. } => (id.to_string(), String::new()),
            Champion::Invited { email } => (String::new(), email.clone()),
            Champion::Missing => (String::new(), String::new()),
        };
        let (clinical, clinical_email) = split(&review.clinical_champion);
        let (finance, finance_email) = split(&review.finance_champion);
        Self {
            title: review.title.clone(),
            scope: review.scope.clone(),
            focus_areas: review
                .focus_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            clinical,
            clinical_email,
            finance,
            finance_email,
        }
    }
}

/// Champions of the organisation, who can be chosen to run a review.
async fn champion_members(
    state: &AppState,
    member: &OrgMember<SignedIn>,
) -> AppResult<Vec<Member>> {
    Ok(state
        .store
        .list_members(member.org.id)
        .await?
        .into_iter()
        .filter(|m| m.roles.contains(&Role::Champion))
        .collect())
}

fn form_page(
    member: &OrgMember<SignedIn>,
    champions: &[Member],
    input: &ReviewInput,
    errors: FormErrors,
    (title, action, back, button): (&str, String, String, &'static str),
) -> ReviewFormPage {
    let options = |selected: &str| {
        champions
            .iter()
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
        champions: vec![
            ChampionField {
                field: "clinical_champion",
                legend: "Clinical champion",
                hint: "A clinical lead who will run the review with the finance champion.",
                options: options(&input.clinical),
                email: input.clinical_email.clone(),
            },
            ChampionField {
                field: "finance_champion",
                legend: "Finance champion",
                hint: "A finance lead, such as the team's finance business partner.",
                options: options(&input.finance),
                email: input.finance_email.clone(),
            },
        ],
    }
}

/// Checks the form; the champions are people the organisation has, or emails to invite.
fn parse_review(
    input: &ReviewInput,
    champions: &[Member],
) -> Result<
    (
        ReviewTitle,
        ReviewScope,
        Vec<FocusArea>,
        ChampionChoice,
        ChampionChoice,
    ),
    FormErrors,
> {
    let mut errors = FormErrors::new();
    let title = errors.check("title", ReviewTitle::parse(&input.title));
    let scope = errors.check("scope", ReviewScope::parse(&input.scope));
    let focus = errors.check(
        "focus_areas",
        parse_focus_areas(input.focus_areas.iter().map(String::as_str)),
    );
    let mut choose = |field: &str, chosen: &str, email: &str| -> Option<ChampionChoice> {
        if !email.trim().is_empty() {
            let email = errors.check(&format!("{field}_email"), EmailAddress::parse(email))?;
            let existing = champions.iter().find(|m| m.user.email == email.as_str());
            return Some(existing.map_or_else(
                || ChampionChoice::Invited(email.as_str().to_owned()),
                |m| ChampionChoice::Member(m.user.id),
            ));
        }
        if chosen.is_empty() {
            return Some(ChampionChoice::Nobody);
        }
        let id = chosen.parse::<i64>().ok().map(UserId);
        if let Some(id) = id.filter(|id| champions.iter().any(|m| m.user.id == *id)) {
            Some(ChampionChoice::Member(id))
        } else {
            errors.add(field, "Choose a champion from the list");
            None
        }
    };
    let clinical = choose("clinical_champion", &input.clinical, &input.clinical_email);
    let finance = choose("finance_champion", &input.finance, &input.finance_email);
    if let (Some(c), Some(f)) = (&clinical, &finance)
        && c != &ChampionChoice::Nobody
        && c == f
    {
        errors.add(
            "finance_champion",
            "The finance champion must be someone other than the clinical champion",
        );
    }
    match (title, scope, focus, clinical, finance) {
        (Some(t), Some(s), Some(f), Some(c), Some(fi)) if errors.is_empty() => Ok((t, s, f, c, fi)),
        _ => Err(errors),
    }
}

/// Sends an organisation invitation (as champion) to each champion invited by email.
async fn invite_champions(
    state: &AppState,
    member: &OrgMember<SignedIn>,
    choices: [&ChampionChoice; 2],
) -> AppResult<()> {
    for choice in choices {
        if let ChampionChoice::Invited(email) = choice {
            let email = EmailAddress::parse(email).map_err(|e| AppError::Internal(e.0))?;
            let roles = RoleSet::new([Role::Champion]).map_err(|e| AppError::Internal(e.0))?;
            match send_invitation(state, &member.org, &member.caller.user, &email, &roles).await {
                // Already a member without the champion role: the review still names them.
                Ok(_) | Err(AppError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// `GET /organisations/{org_id}/reviews`
pub async fn list_reviews(
    State(state): State<AppState>,
    member: OrgMember<SignedIn>,
) -> AppResult<Response> {
    let is_admin = member.roles.contains(&Role::OrgAdmin);
    let can_create = is_admin || member.roles.contains(&Role::Champion);
    if !can_create {
        return Err(AppError::Forbidden);
    }
    let user = member.caller.user.id;
    let reviews = state
        .store
        .list_reviews(member.org.id)
        .await?
        .into_iter()
        .filter(|r| is_admin || r.is_run_by(user))
        .collect();
    Ok(ok(ReviewsPage {
        chrome: Chrome::new(&member.caller.session, "Reviews"),
        org_id: member.org.id.0,
        org_name: member.org.name.clone(),
        is_admin: member.is_admin(member.caller.user.is_network_admin),
        can_create,
        reviews,
    }))
}

/// `GET /organisations/{org_id}/reviews/new`
pub async fn new_review(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<SignedIn>,
) -> AppResult<Response> {
    let champions = champion_members(&state, &member).await?;
    let me = member.caller.user.id.to_string();
    let input = ReviewInput {
        title: String::new(),
        scope: String::new(),
        focus_areas: Vec::new(),
        clinical: if member.roles.contains(&Role::Champion) {
            me
        } else {
            String::new()
        },
        clinical_email: String::new(),
        finance: String::new(),
        finance_email: String::new(),
    };
    let org = member.org.id;
    Ok(ok(form_page(
        &member,
        &champions,
        &input,
        FormErrors::new(),
        (
            "Start a review",
            format!("/organisations/{org}/reviews"),
            format!("/organisations/{org}/reviews"),
            "Start review",
        ),
    )))
}

/// `POST /organisations/{org_id}/reviews`
pub async fn create_review(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let champions = champion_members(&state, &member).await?;
    let input = ReviewInput::from_form(&form);
    let org = member.org.id;
    let (title, scope, focus, clinical, finance) = match parse_review(&input, &champions) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return Ok(invalid(form_page(
                &member,
                &champions,
                &input,
                errors,
                (
                    "Start a review",
                    format!("/organisations/{org}/reviews"),
                    format!("/organisations/{org}/reviews"),
                    "Start review",
                ),
            )));
        }
    };
    let instrument = default_instrument();
    let version = state
        .store
        .shipped_instrument_version(
            &instrument.id,
            instrument.version,
            &instrument.title,
            &instrument.to_toml(),
        )
        .await?;
    let fields = ReviewFields {
        title: &title,
        scope: &scope,
        focus_areas: &focus,
        clinical_champion: clinical.clone(),
        finance_champion: finance.clone(),
    };
    let id = state
        .store
        .create_review(org, &fields, version, member.caller.user.id)
        .await?;
    invite_champions(&state, &member, [&clinical, &finance]).await?;
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
    let champions = champion_members(&state, &member).await?;
    let path = format!("/organisations/{}/reviews/{}", member.org.id, review.id);
    Ok(ok(form_page(
        &member,
        &champions,
        &ReviewInput::from_review(&review),
        FormErrors::new(),
        (
            "Review details and champions",
            format!("{path}/edit"),
            path,
            "Save changes",
        ),
    )))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/edit`
pub async fn update_review(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let ReviewRunner { member, review } = runner;
    let champions = champion_members(&state, &member).await?;
    let input = ReviewInput::from_form(&form);
    let path = format!("/organisations/{}/reviews/{}", member.org.id, review.id);
    let (title, scope, focus, clinical, finance) = match parse_review(&input, &champions) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return Ok(invalid(form_page(
                &member,
                &champions,
                &input,
                errors,
                (
                    "Review details and champions",
                    format!("{path}/edit"),
                    path,
                    "Save changes",
                ),
            )));
        }
    };
    let fields = ReviewFields {
        title: &title,
        scope: &scope,
        focus_areas: &focus,
        clinical_champion: clinical.clone(),
        finance_champion: finance.clone(),
    };
    state
        .store
        .update_review(member.org.id, review.id, &fields)
        .await?;
    invite_champions(&state, &member, [&clinical, &finance]).await?;
    Ok(see_other(&path))
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
