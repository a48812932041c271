//! A questionnaire submission: parsed from the form, checked against the instrument it answers.
//!
//! The form's fields are named so that nothing but the instrument decides what is asked:
//! `profession`, `division`, `role_level`; `s-<statement key>` = `1`..`5` or `dk`;
//! `inv-<scope key>` = a level key; `barriers` and `measures` (repeated); `c-<prompt key>`.
//! Anything else (an unknown statement, a value out of range, an extra field) is refused, so a
//! tampered post can never store something the instrument did not ask.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::instrument::Instrument;
use crate::participants::{ProfessionGroup, RoleLevel};

/// The longest free-text comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// An answer to one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// 1 (strongly disagree) to 5 (strongly agree).
    Score(u8),
    /// "Don't know": counted, but not in means or shares.
    DontKnow,
}

impl Answer {
    /// The stored form: 1..5, or 0 for "don't know".
    #[must_use]
    pub fn stored(self) -> i64 {
        match self {
            Answer::Score(n) => i64::from(n),
            Answer::DontKnow => 0,
        }
    }

    /// From the stored form; `None` for anything else.
    #[must_use]
    pub fn from_stored(value: i64) -> Option<Self> {
        match value {
            0 => Some(Answer::DontKnow),
            1..=5 => u8::try_from(value).ok().map(Answer::Score),
            _ => None,
        }
    }

    fn from_form(value: &str) -> Option<Self> {
        match value.trim() {
            "dk" => Some(Answer::DontKnow),
            v => v
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .map(Answer::Score),
        }
    }
}

/// One person's answers, with their profile as they gave it; no name, no link, no time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseRecord {
    /// Profession group, as answered.
    pub profession: Option<ProfessionGroup>,
    /// Division, as answered (one of the organisation's, or none).
    pub division: Option<String>,
    /// Role level, as answered.
    pub role_level: Option<RoleLevel>,
    /// Statement key → answer, for every statement of the instrument.
    pub answers: BTreeMap<String, Answer>,
    /// Involvement scope key → level key.
    pub involvement: BTreeMap<String, String>,
    /// Barrier keys chosen.
    pub barriers: Vec<String>,
    /// Measure keys chosen.
    pub measures: Vec<String>,
}

/// A checked submission: the record to store and the comments, stored apart from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The answers.
    pub record: ResponseRecord,
    /// Prompt key → comment, non-empty ones only. Stored with no link to the record.
    pub comments: Vec<(String, String)>,
}

/// Checks a submitted form against `instrument`. Errors are (field id, message) in page order.
pub fn parse_submission(
    instrument: &Instrument,
    divisions: &[String],
    fields: &[(String, String)],
) -> Result<Submission, Vec<(String, String)>> {
    let mut form = FormReader {
        fields,
        errors: Vec::new(),
    };
    form.refuse_unknown_and_repeated(instrument);
    let (profession, division, role_level) = form.profile(divisions);
    let answers = form.statements(instrument);
    let involvement = form.involvement(instrument);
    let barriers = form.choices(
        "barriers",
        &instrument.barriers,
        instrument.max_barrier_choices,
    );
    let measures = form.choices(
        "measures",
        &instrument.measures,
        instrument.max_measure_choices,
    );
    let comments = form.comments(instrument);
    if form.errors.is_empty() {
        Ok(Submission {
            record: ResponseRecord {
                profession,
                division,
                role_level,
                answers,
                involvement,
                barriers,
                measures,
            },
            comments,
        })
    } else {
        Err(form.errors)
    }
}

/// The submitted fields and the errors found so far.
struct FormReader<'a> {
    fields: &'a [(String, String)],
    errors: Vec<(String, String)>,
}

impl FormReader<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push((field.into(), message.into()));
    }

    /// Fields the instrument does not ask for, or asked twice, mean a tampered or stale form.
    fn refuse_unknown_and_repeated(&mut self, instrument: &Instrument) {
        let known = |name: &str| {
            matches!(
                name,
                "profession" | "division" | "role_level" | "barriers" | "measures"
            ) || name
                .strip_prefix("s-")
                .is_some_and(|k| instrument.find_statement(k).is_some())
                || name
                    .strip_prefix("inv-")
                    .is_some_and(|k| instrument.involvement.scopes.iter().any(|s| s.key == k))
                || name
                    .strip_prefix("c-")
                    .is_some_and(|k| instrument.prompts.iter().any(|p| p.key == k))
        };
        if let Some((name, _)) = self.fields.iter().find(|(k, _)| !known(k)) {
            let message = format!(
                "The form has a question this questionnaire does not ask ({name}): reload the page and try again"
            );
            self.error("profession", message);
        }
        let mut seen = std::collections::BTreeSet::new();
        let repeated: Vec<String> = self
            .fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "barriers" | "measures"))
            .filter(|(k, _)| !seen.insert(k.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        for name in repeated {
            self.error(
                "profession",
                format!("The form answers {name} twice: reload the page and try again"),
            );
        }
    }

    fn profile(
        &mut self,
        divisions: &[String],
    ) -> (Option<ProfessionGroup>, Option<String>, Option<RoleLevel>) {
        let profession = self
            .get("profession")
            .and_then(|p| ProfessionGroup::parse(p).ok());
        if profession.is_none() {
            self.error("profession", "Select your profession group");
        }
        let given = self
            .get("division")
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let division =
            given.and_then(|d| divisions.iter().find(|known| known.as_str() == d).cloned());
        if given.is_some() && division.is_none() {
            self.error("division", "Select your division from the list");
        }
        let role_level = self
            .get("role_level")
            .and_then(|l| RoleLevel::parse(l).ok());
        if role_level.is_none() {
            self.error("role_level", "Select your role level");
        }
        (profession, division, role_level)
    }

    fn statements(&mut self, instrument: &Instrument) -> BTreeMap<String, Answer> {
        let mut answers = BTreeMap::new();
        for (factor, statement) in instrument.statements() {
            let field = format!("s-{}", statement.key);
            match self.get(&field).filter(|v| !v.is_empty()) {
                None => {
                    let message = format!(
                        "Answer: {} (in {}). Choose \"don't know\" if you are not sure",
                        statement.text, factor.title
                    );
                    self.error(field, message);
                }
                Some(value) => {
                    if let Some(answer) = Answer::from_form(value) {
                        answers.insert(statement.key.clone(), answer);
                    } else {
                        let message = format!(
                            "Choose an answer from 1 to 5, or don't know: {}",
                            statement.text
                        );
                        self.error(field, message);
                    }
                }
            }
        }
        answers
    }

    fn involvement(&mut self, instrument: &Instrument) -> BTreeMap<String, String> {
        let mut involvement = BTreeMap::new();
        for scope in &instrument.involvement.scopes {
            let field = format!("inv-{}", scope.key);
            let level = self
                .get(&field)
                .filter(|level| {
                    instrument
                        .involvement
                        .levels
                        .iter()
                        .any(|l| l.key == *level)
                })
                .map(str::to_owned);
            if let Some(level) = level {
                involvement.insert(scope.key.clone(), level);
            } else {
                let message = format!(
                    "Select how involved you are in: {}",
                    scope.label.to_lowercase()
                );
                self.error(field, message);
            }
        }
        involvement
    }

    fn choices(&mut self, name: &str, list: &[crate::instrument::Choice], max: u32) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut unknown = false;
        for (_, key) in self.fields.iter().filter(|(k, _)| k == name) {
            if !list.iter().any(|c| c.key == *key) {
                unknown = true;
            } else if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        if unknown {
            self.error(name, format!("Select {name} from the list"));
        }
        if keys.len() > max as usize {
            self.error(name, format!("Select up to {max} {name}"));
        }
        keys
    }

    fn comments(&mut self, instrument: &Instrument) -> Vec<(String, String)> {
        let mut comments = Vec::new();
        for prompt in &instrument.prompts {
            let field = format!("c-{}", prompt.key);
            let text = self.get(&field).unwrap_or("").trim().to_owned();
            if text.chars().count() > MAX_COMMENT_CHARS {
                self.error(
                    field,
                    format!("Your answer must be {MAX_COMMENT_CHARS} characters or fewer"),
                );
            } else if !text.is_empty() {
                comments.push((prompt.key.clone(), text));
            }
        }
        comments
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::default_instrument;

    fn complete(instrument: &Instrument) -> Vec<(String, String)> {
        let mut fields = vec![
            ("profession".to_owned(), "finance".to_owned()),
            ("role_level".to_owned(), "middle".to_owned()),
        ];
        for (i, (_, statement)) in instrument.statements().enumerate() {
            let value = if i % 7 == 0 {
                "dk".to_owned()
            } else {
                (i % 5 + 1).to_string()
            };
            fields.push((format!("s-{}", statement.key), value));
        }
        for scope in &instrument.involvement.scopes {
            fields.push((format!("inv-{}", scope.key), "sometimes".to_owned()));
        }
        fields.push(("barriers".into(), instrument.barriers[0].key.clone()));
        fields.push((
            format!("c-{}", instrument.prompts[0].key),
            " Monthly joint meetings ".into(),
        ));
        fields
    }

    #[test]
    fn a_complete_form_is_accepted() {
        let instrument = default_instrument();
        let submission = parse_submission(&instrument, &[], &complete(&instrument)).unwrap();
        assert_eq!(
            submission.record.answers.len(),
            instrument.statement_count()
        );
        assert_eq!(submission.record.answers["purpose-1"], Answer::DontKnow);
        assert_eq!(submission.record.profession, Some(ProfessionGroup::Finance));
        assert_eq!(
            submission.comments,
            vec![(
                instrument.prompts[0].key.clone(),
                "Monthly joint meetings".to_owned()
            )]
        );
    }

    #[test]
    fn tampered_forms_are_refused() {
        let instrument = default_instrument();
        let with = |extra: (&str, &str)| {
            let mut fields = complete(&instrument);
            fields.push((extra.0.to_owned(), extra.1.to_owned()));
            parse_submission(&instrument, &[], &fields).unwrap_err()
        };
        assert!(
            with(("s-not-a-statement", "3"))[0]
                .1
                .contains("does not ask")
        );
        assert!(with(("is_admin", "1"))[0].1.contains("does not ask"));
        assert!(
            with(("barriers", "free-lunch"))
                .iter()
                .any(|(_, m)| m.contains("from the list"))
        );
        let mut fields = complete(&instrument);
        fields.retain(|(k, _)| k != "s-trust-1");
        fields.push(("s-trust-1".into(), "6".into()));
        assert!(
            parse_submission(&instrument, &[], &fields).unwrap_err()[0]
                .1
                .contains("from 1 to 5")
        );
        let mut fields = complete(&instrument);
        fields.push(("s-trust-1".into(), "2".into()));
        assert!(
            parse_submission(&instrument, &[], &fields).unwrap_err()[0]
                .1
                .contains("twice")
        );
        let mut fields = complete(&instrument);
        for key in [
            "financial-awareness",
            "cost-data",
            "data-presentation",
            "data-variability",
        ] {
            fields.push(("barriers".into(), key.into()));
        }
        assert!(
            parse_submission(&instrument, &[], &fields)
                .unwrap_err()
                .iter()
                .any(|(_, m)| m.contains("up to 3"))
        );
    }

    #[test]
    fn missing_answers_are_named_one_by_one() {
        let instrument = default_instrument();
        let errors = parse_submission(&instrument, &[], &[]).unwrap_err();
        // Profile (2 required), every statement, every scope.
        assert_eq!(
            errors.len(),
            2 + instrument.statement_count() + instrument.involvement.scopes.len()
        );
        assert_eq!(errors[0].0, "profession");
        assert!(errors.iter().any(|(f, _)| f == "s-purpose-1"));
    }

    #[test]
    fn divisions_and_comments_are_checked() {
        let instrument = default_instrument();
        let mut fields = complete(&instrument);
        fields.push(("division".into(), "Nowhere".into()));
        let errors = parse_submission(&instrument, &["Surgery".to_owned()], &fields).unwrap_err();
        assert_eq!(errors[0].0, "division");
        let mut fields = complete(&instrument);
        fields.retain(|(k, _)| !k.starts_with("c-"));
        fields.push((
            format!("c-{}", instrument.prompts[1].key),
            "x".repeat(MAX_COMMENT_CHARS + 1),
        ));
        assert!(parse_submission(&instrument, &[], &fields).is_err());
    }

    #[test]
    fn stored_answers_round_trip() {
        for answer in [Answer::DontKnow, Answer::Score(1), Answer::Score(5)] {
            assert_eq!(Answer::from_stored(answer.stored()), Some(answer));
        }
        assert_eq!(Answer::from_stored(6), None);
        assert_eq!(Answer::from_form("0"), None);
    }
}
