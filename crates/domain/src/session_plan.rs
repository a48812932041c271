//! Session plans: the agenda, objectives, roles, ground rules and fallbacks for a team session.
//!
//! The product ships adaptable templates (`instruments/session-plans/1.toml`): the two team
//! sessions and a service line review. Champions start a review's plan from a template with
//! [`SessionPlan::from_template`] and change it to suit their team, because the toolkit expects
//! every organisation to adapt it. The review stores its own copy as JSON, so improving a
//! template later never changes a plan already made.
//!
//! Plans are edited in one form with a textarea per list, one item per line ([`PlanInput`]);
//! [`SessionPlan::parse`] reads it and [`SessionPlan::to_input`] writes it back, so the two
//! round-trip. The API takes a [`SessionPlan`] as JSON and applies the same limits with
//! [`SessionPlan::check`]. The phases and suggested participants always come from the template:
//! they describe a method, not the team's choices, so neither path edits them.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use self::rules::{
    CONTINGENCY, GOOD_QUESTIONS, GROUND_RULES, OBJECTIVES, check_agenda, check_groups, check_list,
    check_roles, parse_agenda, parse_list, parse_roles,
};
use crate::Invalid;

mod rules;

const TEMPLATES_FILE: &str = include_str!("../../../instruments/session-plans/1.toml");

static TEMPLATES: LazyLock<Vec<PlanTemplate>> = LazyLock::new(|| {
    toml::from_str::<TemplateFile>(TEMPLATES_FILE)
        .expect("instruments/session-plans/1.toml is checked by the domain crate's tests")
        .templates
});

/// Where the support person's name goes in a template's contingency list.
pub const SUPPORT_PERSON_PLACEHOLDER: &str = "{support_person}";
/// What stands in for the support person when the readiness checklist names nobody yet.
pub const NO_SUPPORT_PERSON: &str = "the support person named in your readiness checklist";

/// Most objectives in a plan.
pub const MAX_OBJECTIVES: usize = 10;
/// Most agenda items in a plan.
pub const MAX_AGENDA_ITEMS: usize = 20;
/// Longest agenda item, in minutes.
pub const MAX_ITEM_MINUTES: u32 = 240;
/// Longest session, in minutes (a whole working day).
pub const MAX_TOTAL_MINUTES: u32 = 480;
/// Longest agenda item title, in characters.
pub const MAX_AGENDA_TITLE_LEN: usize = 120;
/// Longest agenda item detail, in characters.
pub const MAX_AGENDA_DETAIL_LEN: usize = 500;
/// Most roles in a plan.
pub const MAX_ROLES: usize = 12;
/// Most ground rules, good questions or contingency items.
pub const MAX_LIST_ITEMS: usize = 15;
/// Longest objective, role line, ground rule, good question or contingency item, in characters.
pub const MAX_ITEM_LEN: usize = 300;
/// Longest note on splitting into groups, in characters.
pub const MAX_GROUPS_LEN: usize = 1000;

/// One item on a session's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// What the item is, such as "Welcome and introductions".
    pub title: String,
    /// How long it takes.
    pub minutes: u32,
    /// What happens, in a sentence or two; may be empty.
    #[serde(default)]
    pub detail: String,
}

/// A role someone plays in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRole {
    /// The role, such as "Timekeeper".
    pub role: String,
    /// What they do, or who does it.
    pub duties: String,
}

/// One phase of a method, such as a service line review's "Diagnose".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// The phase's name.
    pub title: String,
    /// What happens in it.
    pub what: String,
}

/// A shipped starting point for a session plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTemplate {
    /// Key such as `session-1`; a plan names the template it came from.
    pub key: String,
    /// Title shown when choosing a template.
    pub title: String,
    /// What the session is for, in a sentence or two.
    pub summary: String,
    /// Length of the session: the sum of the agenda minutes.
    pub duration_minutes: u32,
    /// What the session should achieve.
    pub objectives: Vec<String>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// Who does what.
    pub roles: Vec<PlanRole>,
    /// How people agree to behave.
    pub ground_rules: Vec<String>,
    /// Ways to ask good open questions, with examples.
    pub good_questions: Vec<String>,
    /// Whether and how to split into smaller groups.
    pub groups: String,
    /// What to do when things do not go to plan; one item names `{support_person}`.
    pub contingency: Vec<String>,
    /// The method's phases, in order (service line review only).
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// Who should take part (service line review only).
    #[serde(default)]
    pub suggested_participants: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    templates: Vec<PlanTemplate>,
}

/// Every shipped template, in the order pages offer them.
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file is valid.
#[must_use]
pub fn templates() -> &'static [PlanTemplate] {
    TEMPLATES.as_slice()
}

/// The shipped template with this key.
#[must_use]
pub fn template(key: &str) -> Option<&'static PlanTemplate> {
    templates().iter().find(|t| t.key == key)
}

/// A review's own plan for one session: a template as the champions adapted it. Stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPlan {
    /// Key of the template the plan started from.
    pub template: String,
    /// What the session should achieve (1 to 10).
    pub objectives: Vec<String>,
    /// The agenda, in order (1 to 20 items, 8 hours at most).
    pub agenda: Vec<AgendaItem>,
    /// Who does what (up to 12).
    pub roles: Vec<PlanRole>,
    /// How people agree to behave (up to 15).
    pub ground_rules: Vec<String>,
    /// Ways to ask good open questions (up to 15).
    pub good_questions: Vec<String>,
    /// Whether and how to split into smaller groups; may be empty.
    pub groups: String,
    /// What to do when things do not go to plan (up to 15).
    pub contingency: Vec<String>,
    /// The template's phases, unchanged.
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// The template's suggested participants, unchanged.
    #[serde(default)]
    pub suggested_participants: Vec<String>,
}

/// The edit form: one textarea per list, one item per line. Agenda lines read
/// "20 Welcome and introductions | optional detail" (minutes first); role lines "Role: duties".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// Key of the template the plan started from.
    pub template: String,
    /// One objective per line.
    pub objectives: String,
    /// One agenda item per line, minutes first.
    pub agenda: String,
    /// One role per line, "Role: duties".
    pub roles: String,
    /// One ground rule per line.
    pub ground_rules: String,
    /// One good question per line.
    pub good_questions: String,
    /// Free text; line breaks allowed.
    pub groups: String,
    /// One contingency item per line.
    pub contingency: String,
}

/// Every problem with a plan, each with the form field (and JSON field) it belongs to.
pub type PlanErrors = Vec<(&'static str, Invalid)>;

impl SessionPlan {
    /// A plan that is the template as shipped, with the support person's name filled in (or a
    /// pointer to the readiness checklist when nobody is named yet).
    #[must_use]
    pub fn from_template(t: &PlanTemplate, support_person: Option<&str>) -> SessionPlan {
        // A name from elsewhere must not make the plan fail its own checks: flatten any
        // control characters into spaces.
        let who: String = support_person
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .unwrap_or(NO_SUPPORT_PERSON)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        SessionPlan {
            template: t.key.clone(),
            objectives: t.objectives.clone(),
            agenda: t.agenda.clone(),
            roles: t.roles.clone(),
            ground_rules: t.ground_rules.clone(),
            good_questions: t.good_questions.clone(),
            groups: t.groups.clone(),
            contingency: t
                .contingency
                .iter()
                .map(|item| item.replace(SUPPORT_PERSON_PLACEHOLDER, &who))
                .collect(),
            phases: t.phases.clone(),
            suggested_participants: t.suggested_participants.clone(),
        }
    }

    /// How long the session lasts, in minutes.
    #[must_use]
    pub fn total_minutes(&self) -> u32 {
        // Saturating: an unchecked API body may hold any numbers.
        self.agenda
            .iter()
            .fold(0, |total: u32, item| total.saturating_add(item.minutes))
    }

    /// Reads the edit form, returning every field's first problem.
    pub fn parse(input: &PlanInput) -> Result<SessionPlan, PlanErrors> {
        let mut errors = PlanErrors::new();
        let e = &mut errors;
        let template = take(
            e,
            "template",
            known_template(input.template.trim()).map(Some),
        );
        let objectives = take(e, "objectives", parse_list(&input.objectives, &OBJECTIVES));
        let agenda = take(e, "agenda", parse_agenda(&input.agenda));
        let roles = take(e, "roles", parse_roles(&input.roles));
        let ground_rules = take(
            e,
            "ground_rules",
            parse_list(&input.ground_rules, &GROUND_RULES),
        );
        let good_questions = take(
            e,
            "good_questions",
            parse_list(&input.good_questions, &GOOD_QUESTIONS),
        );
        let groups = input.groups.replace("\r\n", "\n");
        let groups = take(e, "groups", check_groups(groups.trim()));
        let contingency = take(
            e,
            "contingency",
            parse_list(&input.contingency, &CONTINGENCY),
        );
        match template {
            Some(t) if errors.is_empty() => Ok(SessionPlan {
                template: t.key.clone(),
                objectives,
                agenda,
                roles,
                ground_rules,
                good_questions,
                groups,
                contingency,
                phases: t.phases.clone(),
                suggested_participants: t.suggested_participants.clone(),
            }),
            _ => Err(errors),
        }
    }

    /// Applies the same limits as [`SessionPlan::parse`] to a plan that came as JSON, and checks
    /// the phases and participants are the template's own.
    pub fn check(&self) -> Result<(), PlanErrors> {
        let mut errors = PlanErrors::new();
        let mut field = |name: &'static str, result: Result<(), Invalid>| {
            if let Err(e) = result {
                errors.push((name, e));
            }
        };
        match known_template(&self.template) {
            Ok(t) => {
                if self.phases != t.phases {
                    field("phases", Err(Invalid::new(FROM_TEMPLATE_PHASES)));
                }
                if self.suggested_participants != t.suggested_participants {
                    field(
                        "suggested_participants",
                        Err(Invalid::new(FROM_TEMPLATE_PARTICIPANTS)),
                    );
                }
            }
            Err(e) => field("template", Err(e)),
        }
        field("objectives", check_list(&self.objectives, &OBJECTIVES));
        field("agenda", check_agenda(&self.agenda));
        field("roles", check_roles(&self.roles));
        field(
            "ground_rules",
            check_list(&self.ground_rules, &GROUND_RULES),
        );
        field(
            "good_questions",
            check_list(&self.good_questions, &GOOD_QUESTIONS),
        );
        field("groups", check_groups(&self.groups).map(drop));
        field("contingency", check_list(&self.contingency, &CONTINGENCY));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The edit form's text for this plan; [`SessionPlan::parse`] reads it back unchanged.
    #[must_use]
    pub fn to_input(&self) -> PlanInput {
        let agenda = self.agenda.iter().map(|item| {
            if item.detail.is_empty() {
                format!("{} {}", item.minutes, item.title)
            } else {
                format!("{} {} | {}", item.minutes, item.title, item.detail)
            }
        });
        let roles = self
            .roles
            .iter()
            .map(|r| format!("{}: {}", r.role, r.duties));
        PlanInput {
            template: self.template.clone(),
            objectives: self.objectives.join("\n"),
            agenda: agenda.collect::<Vec<_>>().join("\n"),
            roles: roles.collect::<Vec<_>>().join("\n"),
            ground_rules: self.ground_rules.join("\n"),
            good_questions: self.good_questions.join("\n"),
            groups: self.groups.clone(),
            contingency: self.contingency.join("\n"),
        }
    }
}

const FROM_TEMPLATE_PHASES: &str = "Phases come from the template and cannot be changed";
const FROM_TEMPLATE_PARTICIPANTS: &str =
    "Suggested participants come from the template and cannot be changed";
/// The parsed value, or the type's empty value after noting the field's problem.
fn take<T: Default>(errors: &mut PlanErrors, field: &'static str, result: Result<T, Invalid>) -> T {
    result.unwrap_or_else(|e| {
        errors.push((field, e));
        T::default()
    })
}

fn known_template(key: &str) -> Result<&'static PlanTemplate, Invalid> {
    template(key).ok_or_else(|| Invalid::new("Select a template from the list"))
}

#[cfg(test)]
mod tests;
