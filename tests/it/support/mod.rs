//! Test helpers named after what a person does.

pub mod app;
pub mod html;
pub mod smtp;
pub mod webdriver;

pub use app::TestApp;
pub use html::{csrf_token, questionnaire_link, text_of};
pub use smtp::SmtpSink;
