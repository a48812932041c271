//! The integration suite: one test binary, the real server on a free port, a fresh database per
//! test. SQLite by default; PostgreSQL when `COMMONGROUND_TEST_DATABASE_URL` names a server;
//! headless Chromium with axe-core when `COMMONGROUND_BROWSER_TESTS=1`.

// A test reads best as one story from arrangement to last check.
#![expect(clippy::too_many_lines, reason = "tests read as one story")]

mod support;

mod accounts;
mod api;
mod authorisation;
mod bad_input;
mod browser;
mod browser_facilitation;
mod browser_polls;
mod cli;
mod data_protection;
mod demo;
mod email;
mod facilitation;
mod instances;
mod invitations;
mod operations;
mod organisations;
mod polls;
mod questionnaire;
mod results;
mod reviews;
mod sessions_api;
