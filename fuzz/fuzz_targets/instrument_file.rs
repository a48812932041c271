//! Instrument and reference data files, as an organisation editing a copy might write them:
//! reading must never panic, and whatever is accepted must write out as TOML that reads back
//! to the same thing.

#![no_main]

use commonground_domain::instrument::{Instrument, ReferenceData};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The files are read as UTF-8 text; anything else never reaches the parsers.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Instrument::parse(text) {
        Ok(instrument) => {
            let written = instrument.to_toml();
            let again = Instrument::parse(&written)
                .unwrap_or_else(|e| panic!("an accepted instrument reads back: {e}\n{written}"));
            assert_eq!(again, instrument, "{written}");
        }
        Err(errors) => assert!(!errors.0.is_empty(), "refused without a reason"),
    }
    match ReferenceData::parse(text) {
        Ok(data) => {
            let written = data.to_toml();
            let again = ReferenceData::parse(&written)
                .unwrap_or_else(|e| panic!("accepted reference data reads back: {e}\n{written}"));
            assert_eq!(again, data, "{written}");
        }
        Err(errors) => assert!(!errors.0.is_empty(), "refused without a reason"),
    }
});
