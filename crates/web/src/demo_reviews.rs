//! The demo trust's reviews: one finished (closed and released, with answers generated from a
//! fixed seed that show a clear clinical and finance gap on two factors) and one still
//! collecting answers. They go through the same store operations as real use, so the demo
//! shows exactly what a team would see.

use commonground_domain::instrument::{Instrument, default_instrument};
use commonground_domain::participants::{NewParticipant, ProfessionGroup, RoleLevel};
use commonground_domain::questionnaire::{Answer, ResponseRecord, Submission};
use commonground_domain::review::{FocusArea, ReadinessItem, ReviewScope, ReviewTitle};
use commonground_domain::{EmailAddress, PersonName, UserId};
use commonground_store::organisations::Organisation;
use commonground_store::reviews::{ChampionChoice, ReviewFields};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Factors where the demo's clinical and finance staff see things very differently.
const GAP_FACTORS: [&str; 2] = ["shared-data", "communication"];

const FIRST: [&str; 20] = [
    "Amira", "Ben", "Chloe", "Dev", "Erin", "Farid", "Grace", "Hamza", "Isla", "Jon", "Kemi",
    "Liam", "Maya", "Niall", "Olu", "Priti", "Rhys", "Sana", "Tariq", "Uma",
];
const LAST: [&str; 10] = [
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Foster", "Green", "Hill", "Iqbal", "Jones",
];

const COMMENTS: [(&str, &str); 9] = [
    (
        "works-well",
        "Monthly budget meetings where the finance partner walks the ward first",
    ),
    (
        "works-well",
        "Being able to ask finance a quick question without a formal request",
    ),
    (
        "works-well",
        "Joint sign-off of business cases by the clinical director and finance",
    ),
    (
        "could-be-better",
        "Cost reports arrive too late to change anything in the month",
    ),
    (
        "could-be-better",
        "We hear about savings targets after they are set, not before",
    ),
    (
        "could-be-better",
        "Nobody explains what the numbers in the reports actually mean",
    ),
    (
        "good-practice",
        "Theatre utilisation dashboard built together with the finance team",
    ),
    (
        "good-practice",
        "Finance surgeries on the unit every other Tuesday",
    ),
    (
        "could-be-better",
        "Clinicians are not invited when the service line reports are reviewed",
    ),
];

/// A small deterministic generator, so the demo is the same every time.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Three in eight are finance staff, the rest clinical: no third group so small that it would
/// hide the clinical and finance comparison (total minus both sides would single it out).
fn profession_of(i: usize) -> ProfessionGroup {
    match i % 8 {
        0..=2 => ProfessionGroup::Medical,
        3 | 4 => ProfessionGroup::Nursing,
        5 => ProfessionGroup::AlliedHealth,
        _ => ProfessionGroup::Finance,
    }
}

fn people(count: usize, domain_tag: &str, divisions: &[String]) -> AppResult<Vec<NewParticipant>> {
    (0..count)
        .map(|i| {
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / 2) % LAST.len()]);
            let email = format!(
                "{}.{}{i}@{domain_tag}.demo.nhs.uk",
                FIRST[i % FIRST.len()],
                LAST[(i / 2) % LAST.len()]
            );
            let invalid =
                |e: commonground_domain::Invalid| AppError::Internal(format!("demo data: {e}"));
            Ok(NewParticipant {
                name: PersonName::parse(&name).map_err(invalid)?,
                email: EmailAddress::parse(&email).map_err(invalid)?,
                profession: profession_of(i),
                division: divisions.get(i % divisions.len().max(1)).cloned(),
                role_level: [
                    RoleLevel::Senior,
                    RoleLevel::Middle,
                    RoleLevel::NonManagement,
                ][i % 3],
            })
        })
        .collect()
}

/// One person's answers: clinical staff rate the gap factors low, finance staff high.
fn answers(instrument: &Instrument, person: &NewParticipant, rng: &mut Seeded) -> Submission {
    let clinical = !matches!(
        person.profession,
        ProfessionGroup::Finance | ProfessionGroup::ManagementOther
    );
    let mut record = ResponseRecord {
        profession: Some(person.profession),
        division: person.division.clone(),
        role_level: Some(person.role_level),
        ..ResponseRecord::default()
    };
    for (factor, statement) in instrument.statements() {
        let centre: u64 = match (GAP_FACTORS.contains(&factor.key.as_str()), clinical) {
            (true, true) => 2,
            (true, false) => 4,
            (false, _) => 3,
        };
        let answer = if rng.below(20) == 0 {
            Answer::DontKnow
        } else {
            let value = (centre + rng.below(3)).saturating_sub(1).clamp(1, 5);
            Answer::Score(u8::try_from(value).unwrap_or(3))
        };
        record.answers.insert(statement.key.clone(), answer);
    }
    for scope in &instrument.involvement.scopes {
        let levels = &instrument.involvement.levels;
        let pick = if clinical {
            2 + rng.below(2)
        } else {
            rng.below(2)
        };
        let level = &levels[usize::try_from(pick).unwrap_or(0).min(levels.len() - 1)];
        record
            .involvement
            .insert(scope.key.clone(), level.key.clone());
    }
    record.barriers = vec![
        instrument.barriers
            [usize::try_from(rng.below(instrument.barriers.len() as u64)).unwrap_or(0)]
        .key
        .clone(),
    ];
    record.measures = vec![
        instrument.measures
            [usize::try_from(rng.below(instrument.measures.len() as u64)).unwrap_or(0)]
        .key
        .clone(),
    ];
    let comments = if rng.below(3) == 0 {
        let (prompt, text) =
            COMMENTS[usize::try_from(rng.below(COMMENTS.len() as u64)).unwrap_or(0)];
        vec![(prompt.to_owned(), text.to_owned())]
    } else {
        Vec::new()
    };
    Submission { record, comments }
}

struct DemoReview<'a> {
    title: &'a str,
    scope: &'a str,
    focus: &'a [FocusArea],
    people: usize,
    answering: usize,
    finish: bool,
    tag: &'a str,
}

/// Creates the demo reviews unless they exist.
pub async fn seed_reviews(
    state: &AppState,
    org: &Organisation,
    clinical: UserId,
    finance: UserId,
) -> AppResult<()> {
    let existing: Vec<String> = state
        .store
        .list_reviews(org.id)
        .await?
        .into_iter()
        .map(|r| r.title)
        .collect();
    let divisions: Vec<String> = state.store.division_names(org.id).await?;
    let reviews = [
        DemoReview {
            title: "Theatres and anaesthetics",
            scope: "Surgeons, anaesthetists, theatre nurses and ODPs, with the surgery finance business partners and the costing team.",
            focus: &[FocusArea::BusinessCases, FocusArea::Transformation],
            people: 40,
            answering: 34,
            finish: true,
            tag: "theatres",
        },
        DemoReview {
            title: "Maternity workforce",
            scope: "Midwives, obstetricians and the women and children finance team, reviewing the staffing business case.",
            focus: &[FocusArea::Workforce],
            people: 20,
            answering: 8,
            finish: false,
            tag: "maternity",
        },
    ];
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
    let mut rng = Seeded(0x00c0_ffee_2026);
    for demo in reviews
        .iter()
        .filter(|d| !existing.iter().any(|t| t == d.title))
    {
        seed_review(
            state,
            org,
            demo,
            version,
            (clinical, finance),
            &divisions,
            &mut rng,
        )
        .await?;
    }
    Ok(())
}

/// Creates one demo review: participants, links, answers, and (if finished) close and release.
async fn seed_review(
    state: &AppState,
    org: &Organisation,
    demo: &DemoReview<'_>,
    version: commonground_domain::InstrumentVersionId,
    (clinical, finance): (UserId, UserId),
    divisions: &[String],
    rng: &mut Seeded,
) -> AppResult<()> {
    let instrument = default_instrument();
    let invalid = |e: commonground_domain::Invalid| AppError::Internal(format!("demo data: {e}"));
    let (title, scope) = (
        ReviewTitle::parse(demo.title).map_err(invalid)?,
        ReviewScope::parse(demo.scope).map_err(invalid)?,
    );
    let fields = ReviewFields {
        title: &title,
        scope: &scope,
        focus_areas: demo.focus,
        clinical_champion: ChampionChoice::Member(clinical),
        finance_champion: ChampionChoice::Member(finance),
    };
    let id = state
        .store
        .create_review(org.id, &fields, version, clinical)
        .await?;
    let ready: Vec<(ReadinessItem, String)> = ReadinessItem::ALL
        .iter()
        .map(|i| (*i, String::new()))
        .collect();
    state.store.set_readiness(org.id, id, &ready).await?;
    let people = people(demo.people, demo.tag, divisions)?;
    state.store.add_participants(org.id, id, &people).await?;
    state.store.open_questionnaire(org.id, id, None).await?;
    state.jobs.run_pending().await?;
    let tokens = state.store.personal_link_tokens(org.id, id).await?;
    for person in people.iter().take(demo.answering) {
        if let Some((_, token)) = tokens
            .iter()
            .find(|(email, _)| email == person.email.as_str())
        {
            state
                .store
                .submit_response(token, answers(&instrument, person, rng))
                .await?;
        }
    }
    if demo.finish {
        state.store.close_questionnaire(org.id, id).await?;
        state.store.release_results(org.id, id).await?;
    }
    crate::demo_sessions::seed_sessions(state, org.id, (id, demo.title), clinical, demo.finish)
        .await
}
