//! Server-rendered pages, one module per area. Each page is a typed askama template.

pub mod account;
pub mod audit;
pub mod auth;
pub mod capture;
pub mod cards;
pub mod errors;
pub mod facilitation;
pub mod home;
pub mod invitations;
pub mod jobs;
pub mod members;
pub mod organisations;
pub mod outbox;
pub mod participants;
pub mod password_reset;
pub mod people;
pub mod poll_answers;
pub mod polls;
pub mod privacy;
pub mod projector;
pub mod questionnaire;
pub mod questionnaires;
pub mod results;
pub mod review_emails;
pub mod review_questionnaire;
pub mod reviews;
pub mod session_records;
pub mod sessions;

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::assets;
use crate::extractors::Session;
use crate::forms::FormErrors;

static CSS: LazyLock<String> = LazyLock::new(|| assets::url("app.css"));
static JS: LazyLock<String> = LazyLock::new(|| assets::url("app.js"));

/// What the layout needs on every page: title, who is signed in, the CSRF token, asset URLs.
pub struct Chrome {
    /// The page's title (also its `<h1>` on most pages).
    pub title: String,
    /// Prefix the title with "Error:" (NHS pattern when a form has errors).
    pub has_errors: bool,
    /// The signed-in person's name, if any.
    pub user_name: Option<String>,
    /// The token for the header's sign-out form and the page's forms.
    pub csrf_token: String,
    /// Stylesheet URL (content-hashed).
    pub css: &'static str,
    /// Script URL (content-hashed).
    pub js: &'static str,
}

impl Chrome {
    /// Chrome for a page seen by `session`.
    #[must_use]
    pub fn new(session: &Session, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            has_errors: false,
            user_name: session.user.as_ref().map(|u| u.name.clone()),
            csrf_token: session.csrf_token.clone(),
            css: CSS.as_str(),
            js: JS.as_str(),
        }
    }

    /// Chrome for a page that may show form errors.
    #[must_use]
    pub fn with_errors(session: &Session, title: impl Into<String>, errors: &FormErrors) -> Self {
        let mut chrome = Self::new(session, title);
        chrome.has_errors = !errors.is_empty();
        chrome
    }

    /// Chrome with nobody signed in and no forms (error pages).
    #[must_use]
    pub fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            has_errors: false,
            user_name: None,
            csrf_token: String::new(),
            css: CSS.as_str(),
            js: JS.as_str(),
        }
    }
}

/// One checkbox of the roles fieldset.
pub struct RoleOption {
    /// Submitted value.
    pub value: &'static str,
    /// Visible label.
    pub label: &'static str,
    /// One-line explanation.
    pub hint: &'static str,
    /// Ticked.
    pub checked: bool,
}

/// Every role as checkboxes, ticking those in `selected`.
#[must_use]
pub fn role_options(selected: &[&str]) -> Vec<RoleOption> {
    commonground_domain::Role::ALL
        .into_iter()
        .map(|role| RoleOption {
            value: role.as_str(),
            label: role.label(),
            hint: role.hint(),
            checked: selected.contains(&role.as_str()),
        })
        .collect()
}

/// Renders a page with a status (a form re-rendered with errors is 422, not 200).
pub fn render(status: StatusCode, page: impl askama::Template) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => crate::error::AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// One page of a newest-first list (outbox, jobs, audit log), 50 rows each.
pub struct ListPage {
    /// Which page, from 1.
    pub number: i64,
}

impl ListPage {
    const ROWS: i64 = 50;

    /// The page asked for, kept between 1 and 10,000.
    #[must_use]
    pub fn asked(page: Option<i64>) -> Self {
        Self {
            number: page.unwrap_or(1).clamp(1, 10_000),
        }
    }

    /// The limit and offset that fetch it: one row more than it shows, to tell whether an
    /// older page exists.
    #[must_use]
    pub fn limit_offset(&self) -> (i64, i64) {
        (Self::ROWS + 1, (self.number - 1) * Self::ROWS)
    }

    /// Cuts the fetched `rows` to the page; true when there was an older page.
    pub fn keep<T>(&self, rows: &mut Vec<T>) -> bool {
        let more = rows.len() as i64 > Self::ROWS;
        rows.truncate(Self::ROWS as usize);
        more
    }
}

/// A page, 200 OK.
pub fn ok(page: impl askama::Template) -> Response {
    render(StatusCode::OK, page)
}

/// A page re-rendered because its form has errors.
pub fn invalid(page: impl askama::Template) -> Response {
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// After a successful post: see the result with a GET (303).
#[must_use]
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A short page that says what happened and where to go next.
#[derive(askama::Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage {
    /// Layout.
    pub chrome: Chrome,
    /// Show the title in a green confirmation panel.
    pub confirmation: bool,
    /// The text.
    pub paragraphs: Vec<String>,
    /// A link onwards: (href, text).
    pub link: Option<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::ListPage;

    #[test]
    fn a_list_page_fetches_one_row_more_to_know_of_an_older_page() {
        let page = ListPage::asked(Some(3));
        assert_eq!(page.limit_offset(), (51, 100));
        let mut rows: Vec<i32> = (0..51).collect();
        assert!(page.keep(&mut rows));
        assert_eq!(rows.len(), 50);
        let mut last: Vec<i32> = (0..50).collect();
        assert!(!page.keep(&mut last));
        assert_eq!(ListPage::asked(None).number, 1);
        assert_eq!(ListPage::asked(Some(-4)).number, 1);
        assert_eq!(ListPage::asked(Some(i64::MAX)).number, 10_000);
    }
}
