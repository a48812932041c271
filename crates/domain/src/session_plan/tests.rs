use proptest::prelude::*;

use super::*;

fn plan(key: &str) -> SessionPlan {
    SessionPlan::from_template(template(key).unwrap(), Some("Dr Asha Patel"))
}

/// The messages for one broken plan, field by field.
fn errors_of(result: Result<impl std::fmt::Debug, PlanErrors>) -> Vec<(&'static str, String)> {
    result
        .unwrap_err()
        .into_iter()
        .map(|(field, e)| (field, e.0))
        .collect()
}

/// Parses the form after one change to a valid session 1 plan: exactly this one problem.
#[track_caller]
fn form_refuses(change: impl FnOnce(&mut PlanInput), field: &str, message: &str) {
    let mut input = plan("session-1").to_input();
    change(&mut input);
    assert_eq!(
        errors_of(SessionPlan::parse(&input)),
        [(field, message.to_owned())]
    );
}

/// Checks a valid plan after one change: exactly this one problem.
#[track_caller]
fn check_refuses(key: &str, change: impl FnOnce(&mut SessionPlan), field: &str, message: &str) {
    let mut plan = plan(key);
    change(&mut plan);
    assert_eq!(errors_of(plan.check()), [(field, message.to_owned())]);
}

fn lines_of(n: usize, text: &str) -> String {
    vec![text; n].join("\n")
}

#[test]
fn the_three_templates_exist_in_order() {
    let keys: Vec<&str> = templates().iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["session-1", "session-2", "service-line-review"]);
    assert!(template("session-3").is_none());
}

#[test]
fn every_template_is_a_valid_plan() {
    for t in templates() {
        for who in [None, Some("Dr Asha Patel")] {
            let plan = SessionPlan::from_template(t, who);
            assert_eq!(plan.check(), Ok(()), "{}", t.key);
            assert_eq!(SessionPlan::parse(&plan.to_input()), Ok(plan), "{}", t.key);
        }
        assert!(!t.title.is_empty() && !t.summary.is_empty(), "{}", t.key);
        assert!(
            !t.roles.is_empty() && !t.ground_rules.is_empty(),
            "{}",
            t.key
        );
        assert!(
            !t.good_questions.is_empty() && !t.groups.is_empty(),
            "{}",
            t.key
        );
    }
}

#[test]
fn duration_is_the_sum_of_the_agenda() {
    for t in templates() {
        let sum: u32 = t.agenda.iter().map(|item| item.minutes).sum();
        assert_eq!(t.duration_minutes, sum, "{}", t.key);
        assert_eq!(SessionPlan::from_template(t, None).total_minutes(), sum);
    }
}

#[test]
fn roles_cover_the_session() {
    let roles = |key: &str| -> Vec<String> {
        template(key)
            .unwrap()
            .roles
            .iter()
            .map(|r| r.role.to_lowercase())
            .collect()
    };
    for key in ["session-1", "session-2", "service-line-review"] {
        let roles = roles(key);
        for wanted in ["facilitator", "timekeeper", "note taker", "peer reviewers"] {
            assert!(
                roles.iter().any(|r| r.starts_with(wanted)),
                "{key} lacks {wanted}"
            );
        }
    }
    let session_2 = roles("session-2");
    assert!(session_2.contains(&"clinical champion".to_owned()));
    assert!(session_2.contains(&"finance champion".to_owned()));
}

#[test]
fn only_the_service_line_review_has_phases_and_participants() {
    let review = template("service-line-review").unwrap();
    let phases: Vec<&str> = review.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(phases, ["Prepare", "Diagnose", "Design", "Deliver"]);
    assert!(review.suggested_participants.len() >= 5);
    for key in ["session-1", "session-2"] {
        let t = template(key).unwrap();
        assert!(
            t.phases.is_empty() && t.suggested_participants.is_empty(),
            "{key}"
        );
    }
}

#[test]
fn contingency_names_the_support_person_once() {
    for t in templates() {
        let mentions: usize = t
            .contingency
            .iter()
            .map(|item| item.matches(SUPPORT_PERSON_PLACEHOLDER).count())
            .sum();
        assert_eq!(mentions, 1, "{}", t.key);
        // A name of up to 120 characters (the longest a person's name may be) must still fit.
        for item in &t.contingency {
            let longest = item.replace(SUPPORT_PERSON_PLACEHOLDER, &"x".repeat(120));
            assert!(longest.chars().count() <= MAX_ITEM_LEN, "{}: {item}", t.key);
        }

        let named = SessionPlan::from_template(t, Some("  Dr Asha Patel "));
        let text = named.contingency.join("\n");
        assert!(!text.contains(SUPPORT_PERSON_PLACEHOLDER));
        assert_eq!(text.matches("Ask Dr Asha Patel to").count(), 1, "{}", t.key);

        for nobody in [None, Some(" ")] {
            let text = SessionPlan::from_template(t, nobody).contingency.join("\n");
            assert_eq!(text.matches(NO_SUPPORT_PERSON).count(), 1, "{}", t.key);
        }
    }
}

#[test]
fn the_form_ignores_blank_lines_and_spaces() {
    let input = PlanInput {
        template: " session-1 ".to_owned(),
        objectives: "\n  Understand the results  \r\n\r\nAgree next steps\n".to_owned(),
        agenda: "10 Welcome\n\n 20   Results | What we found  \n5 Close|".to_owned(),
        roles: "Facilitator:runs it\nNote taker : writes: everything".to_owned(),
        ground_rules: String::new(),
        good_questions: "  ".to_owned(),
        groups: "  One group.\r\nNo splitting.  ".to_owned(),
        contingency: "Take a break".to_owned(),
    };
    let plan = SessionPlan::parse(&input).unwrap();
    assert_eq!(
        plan.objectives,
        ["Understand the results", "Agree next steps"]
    );
    let agenda: Vec<(u32, &str, &str)> = plan
        .agenda
        .iter()
        .map(|a| (a.minutes, a.title.as_str(), a.detail.as_str()))
        .collect();
    assert_eq!(
        agenda,
        [
            (10, "Welcome", ""),
            (20, "Results", "What we found"),
            (5, "Close", "")
        ]
    );
    assert_eq!(plan.total_minutes(), 35);
    assert_eq!(plan.roles[1].role, "Note taker");
    assert_eq!(plan.roles[1].duties, "writes: everything");
    assert!(plan.ground_rules.is_empty() && plan.good_questions.is_empty());
    assert_eq!(plan.groups, "One group.\nNo splitting.");
    assert!(plan.phases.is_empty());
    assert_eq!(SessionPlan::parse(&plan.to_input()), Ok(plan));
}

#[test]
fn the_form_keeps_the_templates_phases() {
    let mut input = plan("service-line-review").to_input();
    input.objectives = "Our own objective".to_owned();
    let parsed = SessionPlan::parse(&input).unwrap();
    assert_eq!(
        parsed.phases,
        template("service-line-review").unwrap().phases
    );
    assert_eq!(parsed.suggested_participants.len(), 11);
}

#[test]
fn the_form_refuses_each_objective_limit_with_its_message() {
    let long = "x".repeat(301);
    form_refuses(
        |i| i.template = "nope".into(),
        "template",
        "Select a template from the list",
    );
    form_refuses(
        |i| i.objectives = " \n ".into(),
        "objectives",
        "Enter at least one objective",
    );
    form_refuses(
        |i| i.objectives = lines_of(11, "Aim"),
        "objectives",
        "Enter up to 10 objectives",
    );
    form_refuses(
        |i| i.objectives = format!("Aim\n\n{long}"),
        "objectives",
        "Objectives line 3: Shorten it to 300 characters or fewer",
    );
    form_refuses(
        |i| i.objectives = "Aim\tone".into(),
        "objectives",
        "Objectives line 1: Remove tabs and other special characters",
    );
}

#[test]
fn the_form_refuses_each_agenda_limit_with_its_message() {
    form_refuses(
        |i| i.agenda = String::new(),
        "agenda",
        "Enter at least one agenda item",
    );
    form_refuses(
        |i| i.agenda = lines_of(21, "5 Item"),
        "agenda",
        "Enter up to 20 agenda items",
    );
    let start = "Start each agenda line with its length in minutes, like 15 Welcome";
    form_refuses(
        |i| i.agenda = "10 Welcome\n5 Intro\nWelcome 10".into(),
        "agenda",
        &format!("Agenda line 3: {start}"),
    );
    form_refuses(
        |i| i.agenda = "10min Welcome".into(),
        "agenda",
        &format!("Agenda line 1: {start}"),
    );
    let range = "Agenda line 1: Give it between 1 and 240 minutes";
    for line in ["0 Welcome", "241 Welcome", "99999999999 Welcome"] {
        form_refuses(|i| i.agenda = line.into(), "agenda", range);
    }
    form_refuses(
        |i| i.agenda = "15 | detail only".into(),
        "agenda",
        "Agenda line 1: Add a title after the minutes, like 15 Welcome",
    );
    form_refuses(
        |i| i.agenda = format!("15 {}", "t".repeat(121)),
        "agenda",
        "Agenda line 1: Shorten the title to 120 characters or fewer",
    );
    form_refuses(
        |i| i.agenda = format!("15 Title | {}", "d".repeat(501)),
        "agenda",
        "Agenda line 1: Shorten the detail to 500 characters or fewer",
    );
    form_refuses(
        |i| i.agenda = "15 Wel\u{7}come".into(),
        "agenda",
        "Agenda line 1: Remove tabs and other special characters",
    );
    form_refuses(
        |i| i.agenda = lines_of(3, "240 All day"),
        "agenda",
        "The agenda adds up to 720 minutes: keep the session to 480 minutes (8 hours) or fewer",
    );
}

#[test]
fn the_form_refuses_each_role_and_list_limit_with_its_message() {
    let long = "x".repeat(301);
    let role_format = "Roles line 1: Write the role, a colon, then what they do, like Timekeeper: keeps us to time";
    for line in ["Facilitator runs it", ": runs it", "Facilitator:  "] {
        form_refuses(|i| i.roles = line.into(), "roles", role_format);
    }
    form_refuses(
        |i| i.roles = format!("Role: {}", "d".repeat(295)),
        "roles",
        "Roles line 1: Shorten it to 300 characters or fewer",
    );
    form_refuses(
        |i| i.roles = lines_of(13, "Helper: helps"),
        "roles",
        "Enter up to 12 roles",
    );
    form_refuses(
        |i| i.ground_rules = lines_of(16, "Be kind"),
        "ground_rules",
        "Enter up to 15 ground rules",
    );
    form_refuses(
        |i| i.good_questions = lines_of(16, "What?"),
        "good_questions",
        "Enter up to 15 good questions",
    );
    form_refuses(
        |i| i.good_questions.clone_from(&long),
        "good_questions",
        "Good questions line 1: Shorten it to 300 characters or fewer",
    );
    form_refuses(
        |i| i.contingency = lines_of(16, "Pause"),
        "contingency",
        "Enter up to 15 contingency plans",
    );
    form_refuses(
        |i| i.contingency = format!("Pause\n{long}"),
        "contingency",
        "Contingency plans line 2: Shorten it to 300 characters or fewer",
    );
    form_refuses(
        |i| i.groups = "g".repeat(1001),
        "groups",
        "How to split into groups must be 1,000 characters or fewer",
    );
    form_refuses(
        |i| i.groups = "Tables\tof five".into(),
        "groups",
        "How to split into groups must not contain special characters such as tabs",
    );
}

#[test]
fn the_form_reports_every_field_at_once() {
    let input = PlanInput {
        template: "nope".into(),
        agenda: "Welcome".into(),
        ..PlanInput::default()
    };
    let fields: Vec<&str> = errors_of(SessionPlan::parse(&input))
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["template", "objectives", "agenda"]);
}

#[test]
fn check_applies_the_same_limits_to_api_bodies() {
    let item = |minutes, title: &str| AgendaItem {
        title: title.into(),
        minutes,
        detail: String::new(),
    };
    let s1 = "session-1";
    check_refuses(
        s1,
        |p| p.template = "nope".into(),
        "template",
        "Select a template from the list",
    );
    check_refuses(
        s1,
        |p| p.objectives.clear(),
        "objectives",
        "Enter at least one objective",
    );
    check_refuses(
        s1,
        |p| p.objectives[1] = " ".into(),
        "objectives",
        "Objectives line 2: Enter some text or remove the line",
    );
    check_refuses(
        s1,
        |p| p.objectives[0] = "Line\nbreak".into(),
        "objectives",
        "Objectives line 1: Remove tabs and other special characters",
    );
    check_refuses(
        s1,
        |p| p.agenda[2] = item(0, "Nothing"),
        "agenda",
        "Agenda line 3: Give it between 1 and 240 minutes",
    );
    check_refuses(
        s1,
        |p| p.agenda[0] = item(10, "A | B"),
        "agenda",
        "Agenda line 1: Remove the | from the title",
    );
    check_refuses(
        s1,
        |p| p.agenda = vec![item(240, "Long"); 3],
        "agenda",
        "The agenda adds up to 720 minutes: keep the session to 480 minutes (8 hours) or fewer",
    );
    check_refuses(
        s1,
        |p| p.agenda = vec![item(u32::MAX, "Forever"); 2],
        "agenda",
        "Agenda line 1: Give it between 1 and 240 minutes",
    );
    check_refuses(
        s1,
        |p| p.roles[0].role = "Chair: lead".into(),
        "roles",
        "Roles line 1: Write the role, a colon, then what they do, like Timekeeper: keeps us to time",
    );
    check_refuses(
        s1,
        |p| p.groups = "a\u{0}b".into(),
        "groups",
        "How to split into groups must not contain special characters such as tabs",
    );
    check_refuses(
        s1,
        |p| p.contingency = vec!["Pause".into(); 16],
        "contingency",
        "Enter up to 15 contingency plans",
    );
    let fixed = "Suggested participants come from the template and cannot be changed";
    check_refuses(
        "service-line-review",
        |p| p.phases.truncate(3),
        "phases",
        "Phases come from the template and cannot be changed",
    );
    check_refuses(
        "service-line-review",
        |p| p.suggested_participants.clear(),
        "suggested_participants",
        fixed,
    );
    check_refuses(
        s1,
        |p| p.suggested_participants.push("Anyone".into()),
        "suggested_participants",
        fixed,
    );

    assert_eq!(plan("session-2").total_minutes(), 145);
    let mut huge = plan(s1);
    huge.agenda = vec![item(u32::MAX, "Forever"); 2];
    assert_eq!(huge.total_minutes(), u32::MAX);
}

#[test]
fn plans_travel_as_json_and_refuse_unknown_fields() {
    let plan = plan("service-line-review");
    let mut json = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        serde_json::from_value::<SessionPlan>(json.clone()).unwrap(),
        plan
    );
    assert!(json.get("good_questions").is_some());
    json["people"] = serde_json::json!([]);
    assert!(serde_json::from_value::<SessionPlan>(json).is_err());

    // A plan without phases may leave them out, and an agenda item its detail.
    let body = serde_json::json!({
        "template": "session-1",
        "objectives": ["Talk"],
        "agenda": [{"title": "Talk", "minutes": 30}],
        "roles": [],
        "ground_rules": [],
        "good_questions": [],
        "groups": "",
        "contingency": [],
    });
    let plan: SessionPlan = serde_json::from_value(body).unwrap();
    assert_eq!(plan.check(), Ok(()));
}

proptest! {
    #[test]
    fn the_form_round_trips_any_template_with_any_minutes(
        index in 0..3usize,
        minutes in proptest::collection::vec(1u32..=60, 20),
        who in proptest::option::of("[A-Za-z][A-Za-z .'-]{0,40}"),
    ) {
        let mut plan = SessionPlan::from_template(&templates()[index], who.as_deref());
        for (item, minutes) in plan.agenda.iter_mut().zip(minutes) {
            item.minutes = minutes;
        }
        prop_assert_eq!(plan.check(), Ok(()));
        prop_assert_eq!(SessionPlan::parse(&plan.to_input()), Ok(plan));
    }
}
