//! A questionnaire submission as the web layer receives it: an urlencoded body read into
//! name and value pairs (as `axum::Form<Vec<(String, String)>>` does), checked against the
//! default instrument. It must never panic, and an accepted form must answer exactly what the
//! instrument asks.

#![no_main]

use std::sync::LazyLock;

use commonground_domain::instrument::{Instrument, default_instrument};
use commonground_domain::questionnaire::{MAX_COMMENT_CHARS, parse_submission};
use libfuzzer_sys::fuzz_target;

static INSTRUMENT: LazyLock<Instrument> = LazyLock::new(default_instrument);

/// Reads `application/x-www-form-urlencoded` the way `form_urlencoded::parse` does: pairs split
/// on `&`, empty pairs skipped, name and value split at the first `=`, `+` as a space, `%XX`
/// decoded (a malformed escape kept as written), then invalid UTF-8 replaced.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            (decode(name), decode(value))
        })
        .collect()
}

/// One name or value, `+` and `%XX` decoded.
fn decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                if let Some(byte) = input.get(i + 1..i + 3).and_then(hex_byte) {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The byte two hexadecimal digits stand for.
fn hex_byte(digits: &[u8]) -> Option<u8> {
    let value = |d: u8| char::from(d).to_digit(16);
    let high = value(digits[0])?;
    let low = value(digits[1])?;
    u8::try_from(high * 16 + low).ok()
}

fuzz_target!(|data: &[u8]| {
    let instrument = &*INSTRUMENT;
    let fields = form_pairs(data);
    let divisions = ["Surgery".to_owned(), "Medicine".to_owned()];
    match parse_submission(instrument, &divisions, &fields) {
        Ok(submission) => {
            let record = &submission.record;
            assert_eq!(record.answers.len(), instrument.statement_count());
            assert!(
                record
                    .answers
                    .keys()
                    .all(|key| instrument.find_statement(key).is_some())
            );
            assert_eq!(
                record.involvement.len(),
                instrument.involvement.scopes.len()
            );
            assert!(record.profession.is_some() && record.role_level.is_some());
            if let Some(division) = &record.division {
                assert!(divisions.contains(division));
            }
            assert!(record.barriers.len() <= instrument.max_barrier_choices as usize);
            assert!(record.measures.len() <= instrument.max_measure_choices as usize);
            assert!(submission.comments.len() <= instrument.prompts.len());
            for (key, text) in &submission.comments {
                assert!(instrument.prompts.iter().any(|p| &p.key == key));
                assert!(!text.trim().is_empty());
                assert!(text.chars().count() <= MAX_COMMENT_CHARS);
            }
        }
        Err(errors) => assert!(!errors.is_empty(), "refused without a reason"),
    }
});
