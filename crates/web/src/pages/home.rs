//! The home page: a welcome when signed out, the person's organisations when signed in.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_store::organisations::Organisation;

use super::{Chrome, ok};
use crate::error::AppResult;
use crate::extractors::Session;
use crate::state::AppState;

/// The home page.
#[derive(Template)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    chrome: Chrome,
    organisations: Option<Vec<Organisation>>,
    is_network_admin: bool,
}

/// `GET /`
pub async fn show_home(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    let (organisations, is_network_admin) = match &session.user {
        Some(user) if user.is_network_admin => {
            (Some(state.store.list_all_organisations().await?), true)
        }
        Some(user) => (
            Some(state.store.list_organisations_of(user.id).await?),
            false,
        ),
        None => (None, false),
    };
    let title = if organisations.is_some() {
        "Your organisations"
    } else {
        "Clinical and finance staff, working together"
    };
    Ok(ok(HomePage {
        chrome: Chrome::new(&session, title),
        organisations,
        is_network_admin,
    }))
}
