//! What the projector shows (the part of the facilitation page that live updates replace) and
//! how its controls move it: the current agenda step, one card, the timer, the team's results
//! summary and the notes captured so far.
//!
//! The controls' rules live in [`apply`], a pure function, so the page, the keyboard and any
//! second facilitator's screen all move the projector the same way: the server is the truth.

use askama::Template;
use commonground_domain::capture::CaptureKind;
use commonground_domain::london;
use commonground_domain::results::Results;
use commonground_domain::session_plan::AgendaItem;
use commonground_store::capture::CaptureItem;
use commonground_store::team_sessions::{Projector, TeamSession};

use crate::forms::FormErrors;
use crate::review_results::Loaded;
use crate::sessions::Card;

/// The longest timer, in minutes (four hours: a whole session).
pub const MAX_TIMER_MINUTES: i64 = 240;

/// The agenda step on screen.
pub struct StepView {
    /// 1-based.
    pub position: usize,
    /// How many steps the agenda has.
    pub total: usize,
    /// What it is.
    pub title: String,
    /// How long it takes.
    pub minutes: u32,
    /// What happens.
    pub detail: String,
}

/// The card on screen.
pub struct CardView {
    /// 1-based.
    pub position: usize,
    /// How many cards the deck has.
    pub total: usize,
    /// Its title.
    pub title: String,
    /// The situation or question.
    pub text: String,
    /// "Scenario card" or "Factor prompt card".
    pub kind: &'static str,
}

/// The timer: when it ends, in Unix seconds and as a UK time, and whole minutes left.
pub struct TimerView {
    /// When it runs out, if it is running or ran out.
    pub ends_at: Option<i64>,
    /// "14:35", UK time.
    pub ends_label: String,
    /// Minutes left, rounded up; 0 once it ran out.
    pub minutes_left: i64,
    /// The server's clock when the page was made, so scripts can allow for a wrong device clock.
    pub now: i64,
}

/// One factor's figures on screen.
pub struct FactorLine {
    /// The factor.
    pub title: String,
    /// Mean score, "3.42".
    pub mean: String,
    /// Share agreeing, "61.5%".
    pub agreeing: String,
}

/// The team's results, as small as a projector allows.
pub enum ResultsView {
    /// The questionnaire has not closed.
    NotYet,
    /// Too few answered to show anything.
    TooFew {
        /// The minimum reporting group.
        min_group: usize,
    },
    /// The anonymity-checked figures: factors whose figures may be shown.
    Shown {
        /// Per factor.
        factors: Vec<FactorLine>,
        /// Titles of the strongest factors.
        strongest: String,
        /// Titles of the weakest factors.
        weakest: String,
    },
}

/// Notes of one kind.
pub struct NoteGroup {
    /// "Themes", "Good practice", "Next steps".
    pub heading: &'static str,
    /// The stored kind, for ids.
    pub kind: &'static str,
    /// Oldest first.
    pub notes: Vec<CaptureItem>,
}

impl NoteGroup {
    /// `notes` in one group per kind, in the order pages list the kinds.
    #[must_use]
    pub fn by_kind(mut notes: Vec<CaptureItem>) -> Vec<NoteGroup> {
        CaptureKind::ALL
            .into_iter()
            .map(|kind| {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    notes.drain(..).partition(|n| n.kind == kind.as_str());
                notes = rest;
                NoteGroup {
                    heading: kind.heading(),
                    kind: kind.as_str(),
                    notes: mine,
                }
            })
            .collect()
    }
}

/// The live part of the facilitation page, also served alone for scripts to swap in.
#[derive(Template)]
#[template(path = "pages/projector_live.html")]
pub struct LivePart {
    /// Where remove forms post, up to `/capture`.
    pub session_path: String,
    /// For the remove forms.
    pub csrf_token: String,
    /// The agenda step, if the agenda has any.
    pub step: Option<StepView>,
    /// The card, once one is chosen.
    pub card: Option<CardView>,
    /// The timer.
    pub timer: TimerView,
    /// The results summary.
    pub results: ResultsView,
    /// Notes by kind, in the order pages list kinds.
    pub groups: Vec<NoteGroup>,
    /// How many notes there are in all.
    pub note_count: usize,
}

/// Everything the live part is made from.
pub struct LiveInput<'a> {
    /// The session as stored.
    pub session: &'a TeamSession,
    /// The session plan's agenda.
    pub agenda: &'a [AgendaItem],
    /// Every card.
    pub deck: &'a [Card],
    /// The notes.
    pub notes: Vec<CaptureItem>,
    /// What may be shown of the results.
    pub results: &'a Loaded,
    /// The time now, Unix seconds.
    pub now: i64,
}

/// Builds the live part.
#[must_use]
pub fn live_part(input: LiveInput<'_>, session_path: String, csrf_token: String) -> LivePart {
    let session = input.session;
    let step = step_index(session.agenda_step, input.agenda.len()).map(|i| {
        let item = &input.agenda[i];
        StepView {
            position: i + 1,
            total: input.agenda.len(),
            title: item.title.clone(),
            minutes: item.minutes,
            detail: item.detail.clone(),
        }
    });
    let card = card_index(session.current_card.as_deref(), input.deck).map(|i| {
        let card = &input.deck[i];
        CardView {
            position: i + 1,
            total: input.deck.len(),
            title: card.title.clone(),
            text: card.text.clone(),
            kind: if card.kind == "prompt" {
                "Factor prompt card"
            } else {
                "Scenario card"
            },
        }
    });
    let timer = TimerView {
        ends_at: session.timer_ends_at,
        ends_label: session
            .timer_ends_at
            .map(london::local_time)
            .unwrap_or_default(),
        minutes_left: session
            .timer_ends_at
            .map_or(0, |end| ((end - input.now).max(0) + 59) / 60),
        now: input.now,
    };
    let note_count = input.notes.len();
    let groups = NoteGroup::by_kind(input.notes);
    LivePart {
        session_path,
        csrf_token,
        step,
        card,
        timer,
        results: results_view(input.results),
        groups,
        note_count,
    }
}

/// The agenda step to show: the stored one, kept within the agenda (which may have shrunk).
#[must_use]
pub fn step_index(stored: i64, steps: usize) -> Option<usize> {
    let last = steps.checked_sub(1)?;
    Some(usize::try_from(stored).unwrap_or(0).min(last))
}

/// Where the stored card sits in the deck; `None` when none is chosen or it was deleted.
#[must_use]
pub fn card_index(current: Option<&str>, deck: &[Card]) -> Option<usize> {
    let current = current?;
    deck.iter().position(|c| c.id == current)
}

fn results_view(loaded: &Loaded) -> ResultsView {
    let ready = match loaded {
        Loaded::NotYet { .. } => return ResultsView::NotYet,
        Loaded::Ready(ready) => ready,
    };
    let report = match ready.results() {
        Results::TooFew { min_group, .. } => {
            return ResultsView::TooFew {
                min_group: *min_group,
            };
        }
        Results::Shown(report) => report,
    };
    let titles = |keys: &[String]| {
        let names: Vec<&str> = keys
            .iter()
            .filter_map(|k| report.factor(k).map(|f| f.title.as_str()))
            .collect();
        if names.is_empty() {
            "Not enough answers to say".to_owned()
        } else {
            names.join(", ")
        }
    };
    ResultsView::Shown {
        // A factor whose figures are hidden is left out: its row would say something by its
        // absence of a number only if we showed it.
        factors: report
            .factors
            .iter()
            .filter_map(|f| {
                f.overall.figures().map(|fig| FactorLine {
                    title: f.title.clone(),
                    mean: format!("{:.2}", fig.mean),
                    agreeing: format!("{:.1}%", fig.share_agreeing),
                })
            })
            .collect(),
        strongest: titles(&report.strongest),
        weakest: titles(&report.weakest),
    }
}

/// A control as submitted.
pub struct Control<'a> {
    /// `next_card`, `previous_card`, `choose_card`, `next_step`, `previous_step`,
    /// `start_timer` or `stop_timer`.
    pub action: &'a str,
    /// The chosen card's id (`choose_card`).
    pub card: &'a str,
    /// The timer's minutes (`start_timer`).
    pub minutes: &'a str,
}

/// What the projector shows after `control`, or why it cannot move (nothing changes then).
pub fn apply(
    control: &Control<'_>,
    session: &TeamSession,
    deck: &[Card],
    steps: usize,
    now: i64,
) -> Result<Projector, FormErrors> {
    let mut next = Projector {
        current_card: session.current_card.clone(),
        agenda_step: step_index(session.agenda_step, steps).map_or(0, |i| i as i64),
        timer_ends_at: session.timer_ends_at,
        timer_minutes: session.timer_minutes,
    };
    let mut errors = FormErrors::new();
    let current = card_index(session.current_card.as_deref(), deck);
    let last_card = deck.len().saturating_sub(1);
    let move_card = |to: usize| deck.get(to).map(|c| c.id.clone());
    match control.action {
        // With no card yet (or one since deleted), either way starts at the first card.
        "next_card" => {
            next.current_card = move_card(current.map_or(0, |i| (i + 1).min(last_card)));
        }
        "previous_card" => {
            next.current_card = move_card(current.map_or(0, |i| i.saturating_sub(1)));
        }
        "choose_card" => match deck.iter().find(|c| c.id == control.card.trim()) {
            Some(card) => next.current_card = Some(card.id.clone()),
            None => errors.add("card", "Choose a card from the list"),
        },
        "next_step" => {
            next.agenda_step = (next.agenda_step + 1).min(steps.saturating_sub(1) as i64);
        }
        "previous_step" => next.agenda_step = (next.agenda_step - 1).max(0),
        "start_timer" => match parse_minutes(control.minutes) {
            Some(minutes) => {
                next.timer_ends_at = Some(now + minutes * 60);
                next.timer_minutes = Some(minutes);
            }
            None => errors.add(
                "minutes",
                format!("Enter the minutes as a whole number from 1 to {MAX_TIMER_MINUTES}"),
            ),
        },
        "stop_timer" => next.timer_ends_at = None,
        _ => errors.add("controls", "Choose one of the projector controls"),
    }
    if errors.is_empty() {
        Ok(next)
    } else {
        Err(errors)
    }
}

/// Whole minutes from 1 to [`MAX_TIMER_MINUTES`].
fn parse_minutes(input: &str) -> Option<i64> {
    input
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_TIMER_MINUTES).contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str) -> Card {
        Card {
            id: id.to_owned(),
            kind: "scenario".to_owned(),
            title: id.to_owned(),
            text: String::new(),
            factors: Vec::new(),
            own: false,
        }
    }

    fn control<'a>(action: &'a str, card: &'a str, minutes: &'a str) -> Control<'a> {
        Control {
            action,
            card,
            minutes,
        }
    }

    #[test]
    fn cards_move_within_the_deck() {
        let deck = [card("a"), card("b")];
        let mut session = TeamSession::default();
        let first = apply(&control("next_card", "", ""), &session, &deck, 3, 0).unwrap();
        assert_eq!(first.current_card.as_deref(), Some("a"));
        session.current_card = Some("b".into());
        let last = apply(&control("next_card", "", ""), &session, &deck, 3, 0).unwrap();
        assert_eq!(last.current_card.as_deref(), Some("b"));
        let back = apply(&control("previous_card", "", ""), &session, &deck, 3, 0).unwrap();
        assert_eq!(back.current_card.as_deref(), Some("a"));
        let errors = apply(&control("choose_card", "own:99", ""), &session, &deck, 3, 0)
            .err()
            .unwrap();
        assert_eq!(errors.get("card"), Some("Choose a card from the list"));
    }

    #[test]
    fn steps_stay_in_the_agenda_and_timers_take_1_to_240_minutes() {
        let session = TeamSession {
            agenda_step: 2,
            ..TeamSession::default()
        };
        let next = apply(&control("next_step", "", ""), &session, &[], 3, 0).unwrap();
        assert_eq!(next.agenda_step, 2);
        let back = apply(&control("previous_step", "", ""), &session, &[], 3, 0).unwrap();
        assert_eq!(back.agenda_step, 1);
        let timer = apply(&control("start_timer", "", " 15 "), &session, &[], 3, 100).unwrap();
        assert_eq!(
            (timer.timer_ends_at, timer.timer_minutes),
            (Some(1000), Some(15))
        );
        for bad in ["0", "241", "ten", "", "1.5"] {
            assert!(apply(&control("start_timer", "", bad), &session, &[], 3, 0).is_err());
        }
        assert!(apply(&control("dance", "", ""), &session, &[], 3, 0).is_err());
    }

    #[test]
    fn the_timer_rounds_minutes_left_up() {
        let session = TeamSession {
            timer_ends_at: Some(1000),
            ..TeamSession::default()
        };
        let loaded = Loaded::NotYet { answered: 0 };
        let part = |now| {
            live_part(
                LiveInput {
                    session: &session,
                    agenda: &[],
                    deck: &[],
                    notes: Vec::new(),
                    results: &loaded,
                    now,
                },
                String::new(),
                String::new(),
            )
            .timer
            .minutes_left
        };
        assert_eq!(part(1000 - 61), 2);
        assert_eq!(part(1000 - 60), 1);
        assert_eq!(part(2000), 0);
    }
}
