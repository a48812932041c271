//! Email templates as champions may write them, filled with any values: checking and rendering
//! must never panic, a template that passes the check for an email must render, and the HTML
//! part must hold no markup but the paragraphs, line breaks and link the renderer adds, so
//! nothing in a template or a value (a name such as `<script>`) can inject any.
//!
//! The input is split on NUL bytes into the subject, the body, then the values (name, review,
//! link, close date, champions); missing values are ordinary ones.

#![no_main]

use commonground_domain::email_template::{EmailKind, EmailTemplate, Values};
use libfuzzer_sys::fuzz_target;

/// The only markup the renderer writes; every `<` in the HTML part must start one of them.
const TAGS: [&str; 5] = ["<p>", "</p>", "<br>", "<a href=\"", "</a>"];

const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let template = EmailTemplate {
        subject: parts.next().unwrap_or_default().to_owned(),
        body: parts.next().unwrap_or_default().to_owned(),
    };
    let mut value = |default: &str| parts.next().unwrap_or(default).to_owned();
    let fuzzed = Values {
        name: value("Ana Smith"),
        review: value("Theatres"),
        link: value("https://example.nhs.uk/q/abc"),
        close_date: value("Friday 4 December 2026"),
        champions: value("Dr Lee and Sam Patel"),
    };
    let hostile = Values {
        name: HOSTILE.to_owned(),
        review: HOSTILE.to_owned(),
        link: HOSTILE.to_owned(),
        close_date: HOSTILE.to_owned(),
        champions: HOSTILE.to_owned(),
    };

    let mut valid_for_some_kind = false;
    for kind in EmailKind::ALL {
        match template.validate(kind) {
            Ok(()) => valid_for_some_kind = true,
            Err(problems) => {
                assert!(!problems.is_empty(), "refused without a reason");
                for problem in &problems {
                    let _ = problem.to_string();
                }
            }
        }
    }

    for (values, is_hostile) in [(&fuzzed, false), (&hostile, true)] {
        match template.render(values) {
            Ok(rendered) => {
                assert!(
                    !rendered.subject.contains(['\r', '\n']),
                    "a subject over several lines: {:?}",
                    rendered.subject
                );
                let html = &rendered.html_body;
                for (at, _) in html.match_indices('<') {
                    assert!(
                        TAGS.iter().any(|tag| html[at..].starts_with(tag)),
                        "markup the renderer did not write, at {at}: {html:?}"
                    );
                }
                if is_hostile {
                    assert!(!html.to_ascii_lowercase().contains("<script"), "{html:?}");
                    assert!(!html.contains(HOSTILE), "{html:?}");
                }
            }
            Err(problem) => assert!(
                !valid_for_some_kind,
                "a template that passed the check does not render: {problem}"
            ),
        }
    }
});
