//! The limits on a session plan, and reading the edit form's lines.
//!
//! Each rule has a `parse_*` form for the textareas (one item per line, blank lines ignored) and a
//! `check_*` form for a plan that came as JSON; both share one `*_problem` function per item, so
//! the form and the API always say the same thing about the same mistake.

use super::{
    AgendaItem, Invalid, MAX_AGENDA_DETAIL_LEN, MAX_AGENDA_ITEMS, MAX_AGENDA_TITLE_LEN,
    MAX_GROUPS_LEN, MAX_ITEM_LEN, MAX_ITEM_MINUTES, MAX_LIST_ITEMS, MAX_OBJECTIVES, MAX_ROLES,
    MAX_TOTAL_MINUTES, PlanRole,
};

const START_WITH_MINUTES: &str =
    "Start each agenda line with its length in minutes, like 15 Welcome";
const ROLE_FORMAT: &str =
    "Write the role, a colon, then what they do, like Timekeeper: keeps us to time";
const SPECIAL_CHARACTERS: &str = "Remove tabs and other special characters";

/// The rules for one plain list of one-line items.
pub(super) struct ListRule {
    /// How messages name the list: "Objectives line 3: ...".
    label: &'static str,
    max_items: usize,
    /// The message when the list is empty and must not be.
    required: Option<&'static str>,
    too_many: &'static str,
}

pub(super) const OBJECTIVES: ListRule = ListRule {
    label: "Objectives",
    max_items: MAX_OBJECTIVES,
    required: Some("Enter at least one objective"),
    too_many: "Enter up to 10 objectives",
};
pub(super) const GROUND_RULES: ListRule = ListRule {
    label: "Ground rules",
    max_items: MAX_LIST_ITEMS,
    required: None,
    too_many: "Enter up to 15 ground rules",
};
pub(super) const GOOD_QUESTIONS: ListRule = ListRule {
    label: "Good questions",
    max_items: MAX_LIST_ITEMS,
    required: None,
    too_many: "Enter up to 15 good questions",
};
pub(super) const CONTINGENCY: ListRule = ListRule {
    label: "Contingency plans",
    max_items: MAX_LIST_ITEMS,
    required: None,
    too_many: "Enter up to 15 contingency plans",
};

/// Names the line (1-based, counting blank lines, as the user sees the textarea).
fn on_line(label: &str, index: usize, problem: &str) -> Invalid {
    Invalid::new(format!("{label} line {}: {problem}", index + 1))
}

/// The non-blank lines of a textarea, trimmed, with their index.
fn lines(input: &str) -> impl Iterator<Item = (usize, &str)> {
    input
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
}

/// The problem with one list item, if any.
fn item_problem(item: &str, max: usize) -> Option<String> {
    if item.trim().is_empty() {
        Some("Enter some text or remove the line".to_owned())
    } else if item.chars().count() > max {
        Some(format!("Shorten it to {max} characters or fewer"))
    } else if item.chars().any(char::is_control) {
        Some(SPECIAL_CHARACTERS.to_owned())
    } else {
        None
    }
}

fn check_count(count: usize, rule: &ListRule) -> Result<(), Invalid> {
    match rule.required {
        Some(message) if count == 0 => Err(Invalid::new(message)),
        _ if count > rule.max_items => Err(Invalid::new(rule.too_many)),
        _ => Ok(()),
    }
}

pub(super) fn parse_list(input: &str, rule: &ListRule) -> Result<Vec<String>, Invalid> {
    let mut items = Vec::new();
    for (index, line) in lines(input) {
        if let Some(problem) = item_problem(line, MAX_ITEM_LEN) {
            return Err(on_line(rule.label, index, &problem));
        }
        items.push(line.to_owned());
    }
    check_count(items.len(), rule)?;
    Ok(items)
}

pub(super) fn check_list(items: &[String], rule: &ListRule) -> Result<(), Invalid> {
    for (index, item) in items.iter().enumerate() {
        if let Some(problem) = item_problem(item, MAX_ITEM_LEN) {
            return Err(on_line(rule.label, index, &problem));
        }
    }
    check_count(items.len(), rule)
}

pub(super) fn parse_agenda(input: &str) -> Result<Vec<AgendaItem>, Invalid> {
    let mut items = Vec::new();
    for (index, line) in lines(input) {
        let item = parse_agenda_line(line).map_err(|p| on_line("Agenda", index, &p))?;
        items.push(item);
    }
    check_agenda_size(&items)?;
    Ok(items)
}

/// "20 Welcome | detail": the first word must be a whole number of minutes.
fn parse_agenda_line(line: &str) -> Result<AgendaItem, String> {
    let (first, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    if first.is_empty() || !first.chars().all(|c| c.is_ascii_digit()) {
        return Err(START_WITH_MINUTES.to_owned());
    }
    // All digits but too big for u32 is still a length, just far too long.
    let minutes = first.parse().unwrap_or(u32::MAX);
    let (title, detail) = rest.split_once('|').unwrap_or((rest, ""));
    let item = AgendaItem {
        title: title.trim().to_owned(),
        minutes,
        detail: detail.trim().to_owned(),
    };
    agenda_item_problem(&item).map_or(Ok(item), Err)
}

fn agenda_item_problem(item: &AgendaItem) -> Option<String> {
    let problem = if !(1..=MAX_ITEM_MINUTES).contains(&item.minutes) {
        "Give it between 1 and 240 minutes"
    } else if item.title.trim().is_empty() {
        "Add a title after the minutes, like 15 Welcome"
    } else if item.title.chars().count() > MAX_AGENDA_TITLE_LEN {
        "Shorten the title to 120 characters or fewer"
    } else if item.title.contains('|') {
        // The form uses | to separate the title from the detail.
        "Remove the | from the title"
    } else if item.detail.chars().count() > MAX_AGENDA_DETAIL_LEN {
        "Shorten the detail to 500 characters or fewer"
    } else if item
        .title
        .chars()
        .chain(item.detail.chars())
        .any(char::is_control)
    {
        SPECIAL_CHARACTERS
    } else {
        return None;
    };
    Some(problem.to_owned())
}

fn check_agenda_size(items: &[AgendaItem]) -> Result<(), Invalid> {
    if items.is_empty() {
        return Err(Invalid::new("Enter at least one agenda item"));
    }
    if items.len() > MAX_AGENDA_ITEMS {
        return Err(Invalid::new("Enter up to 20 agenda items"));
    }
    let total: u32 = items.iter().map(|item| item.minutes).sum();
    if total > MAX_TOTAL_MINUTES {
        return Err(Invalid::new(format!(
            "The agenda adds up to {total} minutes: keep the session to 480 minutes (8 hours) or fewer"
        )));
    }
    Ok(())
}

pub(super) fn check_agenda(items: &[AgendaItem]) -> Result<(), Invalid> {
    for (index, item) in items.iter().enumerate() {
        if let Some(problem) = agenda_item_problem(item) {
            return Err(on_line("Agenda", index, &problem));
        }
    }
    check_agenda_size(items)
}

pub(super) fn parse_roles(input: &str) -> Result<Vec<PlanRole>, Invalid> {
    let mut roles = Vec::new();
    for (index, line) in lines(input) {
        let (role, duties) = line
            .split_once(':')
            .ok_or_else(|| on_line("Roles", index, ROLE_FORMAT))?;
        let role = PlanRole {
            role: role.trim().to_owned(),
            duties: duties.trim().to_owned(),
        };
        if let Some(problem) = role_problem(&role) {
            return Err(on_line("Roles", index, &problem));
        }
        roles.push(role);
    }
    check_role_count(roles.len())?;
    Ok(roles)
}

fn role_problem(role: &PlanRole) -> Option<String> {
    if role.role.trim().is_empty() || role.duties.trim().is_empty() || role.role.contains(':') {
        // A colon in the role would move the split when the form reads the line back.
        return Some(ROLE_FORMAT.to_owned());
    }
    item_problem(&format!("{}: {}", role.role, role.duties), MAX_ITEM_LEN)
}

fn check_role_count(count: usize) -> Result<(), Invalid> {
    if count > MAX_ROLES {
        return Err(Invalid::new("Enter up to 12 roles"));
    }
    Ok(())
}

pub(super) fn check_roles(roles: &[PlanRole]) -> Result<(), Invalid> {
    for (index, role) in roles.iter().enumerate() {
        if let Some(problem) = role_problem(role) {
            return Err(on_line("Roles", index, &problem));
        }
    }
    check_role_count(roles.len())
}

/// The groups note may have paragraphs, so only line breaks are allowed among control characters.
pub(super) fn check_groups(groups: &str) -> Result<String, Invalid> {
    if groups.chars().count() > MAX_GROUPS_LEN {
        return Err(Invalid::new(
            "How to split into groups must be 1,000 characters or fewer",
        ));
    }
    if groups.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(
            "How to split into groups must not contain special characters such as tabs",
        ));
    }
    Ok(groups.to_owned())
}
