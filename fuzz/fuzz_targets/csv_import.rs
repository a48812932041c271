//! The participant CSV import on any bytes: it must never panic, and whatever it accepts or
//! refuses must keep the promises its documentation makes (all or nothing, problems capped,
//! one participant per email address, divisions spelled as the organisation's).

#![no_main]

use std::collections::HashSet;

use commonground_domain::participants::{
    MAX_CSV_PARTICIPANTS, MAX_CSV_PROBLEMS, parse_participants_csv,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let known = ["Surgery".to_owned(), "Medicine".to_owned()];
    for divisions in [&[][..], &known[..]] {
        match parse_participants_csv(data, divisions) {
            Ok(import) => {
                assert!(
                    !import.participants.is_empty(),
                    "accepted with nobody in it"
                );
                assert!(import.participants.len() <= MAX_CSV_PARTICIPANTS);
                let mut emails = HashSet::new();
                for participant in &import.participants {
                    assert!(
                        emails.insert(participant.email.as_str()),
                        "an email address twice"
                    );
                    if let Some(division) = &participant.division {
                        assert!(divisions.is_empty() || divisions.contains(division));
                    }
                }
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "refused without a reason");
                assert!(problems.len() <= MAX_CSV_PROBLEMS + 1);
                for problem in &problems {
                    assert!(!problem.message.is_empty());
                    // Displaying a problem is what the page does with it.
                    let _ = problem.to_string();
                }
            }
        }
    }
});
