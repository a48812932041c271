//! A review's details and champions as typed, shared by the review pages and the API.

use commonground_domain::instrument::default_instrument;
use commonground_domain::review::{FocusArea, ReviewScope, ReviewTitle, parse_focus_areas};
use commonground_domain::{
    EmailAddress, InstrumentVersionId, OrganisationId, Role, RoleSet, UserId,
};
use commonground_store::members::Member;
use commonground_store::organisations::Organisation;
use commonground_store::reviews::{Champion, ChampionChoice, Review, ReviewFields};
use commonground_store::users::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::inputs::NumberText;
use crate::invitations::send_invitation;
use crate::state::AppState;

/// A review's details as typed in.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewInput {
    /// Title, such as "Theatres: productivity".
    pub title: String,
    /// Who and what the review covers.
    pub scope: String,
    /// One to three of `service_development`, `business_cases`, `workforce`, `transformation`, `other`.
    pub focus_areas: Vec<String>,
    /// User id of a champion of the organisation to be the clinical champion.
    #[schema(value_type = Option<i64>)]
    pub clinical_champion: NumberText,
    /// Or the email of someone to invite as clinical champion (wins over the id).
    pub clinical_champion_email: String,
    /// User id of a champion of the organisation to be the finance champion.
    #[schema(value_type = Option<i64>)]
    pub finance_champion: NumberText,
    /// Or the email of someone to invite as finance champion (wins over the id).
    pub finance_champion_email: String,
    /// The questionnaire version to use (id); empty means the latest shipped with the product.
    #[schema(value_type = Option<i64>)]
    pub instrument_version: NumberText,
}

/// A checked review: its fields as the store takes them.
pub struct ParsedReview {
    title: ReviewTitle,
    scope: ReviewScope,
    focus_areas: Vec<FocusArea>,
    clinical: ChampionChoice,
    finance: ChampionChoice,
}

impl ParsedReview {
    /// The fields as the store takes them.
    #[must_use]
    pub fn fields(&self) -> ReviewFields<'_> {
        ReviewFields {
            title: &self.title,
            scope: &self.scope,
            focus_areas: &self.focus_areas,
            clinical_champion: self.clinical.clone(),
            finance_champion: self.finance.clone(),
        }
    }
}

impl ReviewInput {
    /// The form pre-filled from a stored review.
    #[must_use]
    pub fn from_review(review: &Review) -> Self {
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
            clinical_champion: NumberText(clinical),
            clinical_champion_email: clinical_email,
            finance_champion: NumberText(finance),
            finance_champion_email: finance_email,
            instrument_version: NumberText(review.instrument_version_id.to_string()),
        }
    }

    /// Checks every field. A chosen id must be a champion of the organisation; an email that
    /// belongs to a member names that member, any other is invited.
    pub fn parse(&self, members: &[Member]) -> Result<ParsedReview, FormErrors> {
        let mut errors = FormErrors::new();
        let title = errors.check("title", ReviewTitle::parse(&self.title));
        let scope = errors.check("scope", ReviewScope::parse(&self.scope));
        let focus = errors.check(
            "focus_areas",
            parse_focus_areas(self.focus_areas.iter().map(String::as_str)),
        );
        let mut choose = |field: &str, chosen: &str, email: &str| -> Option<ChampionChoice> {
            if !email.trim().is_empty() {
                let email = errors.check(&format!("{field}_email"), EmailAddress::parse(email))?;
                let existing = members.iter().find(|m| m.user.email == email.as_str());
                return Some(existing.map_or_else(
                    || ChampionChoice::Invited(email.as_str().to_owned()),
                    |m| ChampionChoice::Member(m.user.id),
                ));
            }
            if chosen.trim().is_empty() {
                return Some(ChampionChoice::Nobody);
            }
            let id = chosen.trim().parse::<i64>().ok().map(UserId);
            let is_champion = |id: &UserId| {
                members
                    .iter()
                    .any(|m| m.user.id == *id && m.roles.contains(&Role::Champion))
            };
            if let Some(id) = id.filter(is_champion) {
                Some(ChampionChoice::Member(id))
            } else {
                errors.add(field, "Choose a champion from the list");
                None
            }
        };
        let clinical = choose(
            "clinical_champion",
            &self.clinical_champion.0,
            &self.clinical_champion_email,
        );
        let finance = choose(
            "finance_champion",
            &self.finance_champion.0,
            &self.finance_champion_email,
        );
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
            (Some(title), Some(scope), Some(focus_areas), Some(clinical), Some(finance))
                if errors.is_empty() =>
            {
                Ok(ParsedReview {
                    title,
                    scope,
                    focus_areas,
                    clinical,
                    finance,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Sends an organisation invitation, as champion, to each champion named by an email that has
/// no membership yet; they are linked to the review when they accept.
pub async fn invite_champions(
    state: &AppState,
    org: &Organisation,
    inviter: &User,
    review: &ParsedReview,
) -> AppResult<()> {
    for choice in [&review.clinical, &review.finance] {
        if let ChampionChoice::Invited(email) = choice {
            let email = EmailAddress::parse(email).map_err(|e| AppError::Internal(e.0))?;
            let roles = RoleSet::new([Role::Champion]).map_err(|e| AppError::Internal(e.0))?;
            send_invitation(state, org, inviter, &email, &roles).await?;
        }
    }
    Ok(())
}

/// The reviews of `org` that a member may see: all for organisation admins, otherwise those
/// they run; "forbidden" for members who are neither champions nor admins.
pub async fn reviews_visible_to(
    state: &AppState,
    org: &Organisation,
    user: UserId,
    roles: &[Role],
) -> AppResult<Vec<Review>> {
    let is_admin = roles.contains(&Role::OrgAdmin);
    if !is_admin && !roles.contains(&Role::Champion) {
        return Err(AppError::Forbidden);
    }
    Ok(state
        .store
        .list_reviews(org.id)
        .await?
        .into_iter()
        .filter(|r| is_admin || r.is_run_by(user))
        .collect())
}

/// The questionnaire version a new review will use: the one chosen (which must be shipped or the
/// organisation's own), or the latest shipped with the product.
pub async fn resolve_version(
    state: &AppState,
    org: OrganisationId,
    input: &ReviewInput,
) -> AppResult<Result<InstrumentVersionId, FormErrors>> {
    let chosen = input.instrument_version.0.trim();
    if chosen.is_empty() {
        let instrument = default_instrument();
        let id = state
            .store
            .shipped_instrument_version(
                &instrument.id,
                instrument.version,
                &instrument.title,
                &instrument.to_toml(),
            )
            .await?;
        return Ok(Ok(id));
    }
    let id = chosen.parse::<i64>().ok().map(InstrumentVersionId);
    let found = match id {
        Some(id) => state
            .store
            .instrument_version_definition(org, id)
            .await?
            .map(|(v, _)| v.id),
        None => None,
    };
    Ok(found.ok_or_else(|| {
        let mut errors = FormErrors::new();
        errors.add("instrument_version", "Choose a questionnaire from the list");
        errors
    }))
}
