//! `GET /privacy`: the privacy notice, in plain English, for everyone the service holds data
//! about: members, participants and the people they invite.

use askama::Template;
use axum::response::Response;
use commonground_domain::{MinReportingGroup, RetentionMonths};

use super::{Chrome, ok};
use crate::extractors::Session;

/// The notice.
#[derive(Template)]
#[template(path = "pages/privacy.html")]
pub struct PrivacyPage {
    chrome: Chrome,
    default_retention: u32,
    min_group_floor: u32,
}

/// `GET /privacy`
pub async fn show_privacy(session: Session) -> Response {
    ok(PrivacyPage {
        chrome: Chrome::new(&session, "Privacy notice"),
        default_retention: RetentionMonths::DEFAULT.get(),
        min_group_floor: MinReportingGroup::FLOOR,
    })
}
