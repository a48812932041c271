//! Emails about the team sessions (poll links, invitations, updates, cancellations and
//! reminders), and the scheduler's reminders before each session.

use askama::Template;
use commonground_domain::london::slot_label;
use commonground_domain::{OrganisationId, ParticipantId, ReviewId};
use commonground_store::outbox::OutgoingEmail;
use commonground_store::{Store, StoreError};

/// How long before a session its reminder goes.
pub const REMIND_BEFORE_SECONDS: i64 = 2 * 86_400;

#[derive(Template)]
#[template(path = "emails/session.txt")]
struct SessionText<'a> {
    heading: &'a str,
    paragraphs: &'a [String],
    times: &'a [String],
    link: Option<&'a str>,
    button: &'a str,
}

#[derive(Template)]
#[template(path = "emails/session.html")]
struct SessionHtml<'a> {
    subject: &'a str,
    heading: &'a str,
    paragraphs: &'a [String],
    times: &'a [String],
    link: Option<&'a str>,
    button: &'a str,
}

/// One email about the sessions.
pub struct SessionEmail<'a> {
    /// The organisation.
    pub organisation: OrganisationId,
    /// The review.
    pub review: ReviewId,
    /// The participant it is for, if a participant (so it goes with their personal data).
    pub participant: Option<ParticipantId>,
    /// The recipient.
    pub to: &'a str,
    /// Subject, also the heading.
    pub subject: String,
    /// What it says.
    pub paragraphs: Vec<String>,
    /// Session times, listed.
    pub times: Vec<String>,
    /// A link and the words of its button.
    pub link: Option<(String, &'a str)>,
    /// An iCalendar file to send with it.
    pub calendar: Option<String>,
}

impl SessionEmail<'_> {
    /// The message to store.
    pub fn build(self) -> Result<OutgoingEmail, askama::Error> {
        let link = self.link.as_ref().map(|(url, _)| url.as_str());
        let button = self.link.as_ref().map_or("", |(_, label)| label);
        Ok(OutgoingEmail {
            organisation: Some(self.organisation),
            review: Some(self.review),
            participant: self.participant,
            to: self.to.to_owned(),
            text: SessionText {
                heading: &self.subject,
                paragraphs: &self.paragraphs,
                times: &self.times,
                link,
                button,
            }
            .render()?,
            html: SessionHtml {
                subject: &self.subject,
                heading: &self.subject,
                paragraphs: &self.paragraphs,
                times: &self.times,
                link,
                button,
            }
            .render()?,
            subject: self.subject,
            calendar: self.calendar,
        })
    }
}

/// Emails a reminder for every session starting within [`REMIND_BEFORE_SECONDS`], once per
/// start time however many instances run this; returns how many sessions were reminded of.
pub(crate) async fn remind_due_sessions(store: &Store, at: i64) -> Result<usize, StoreError> {
    let mut reminded = 0;
    for due in store
        .sessions_to_remind(at, at + REMIND_BEFORE_SECONDS)
        .await?
    {
        let Some(review) = store.get_review(due.organisation, due.review).await? else {
            continue;
        };
        let sessions = store.team_sessions(due.organisation, due.review).await?;
        let session = &sessions[usize::from(due.number.clamp(1, 2) - 1)];
        let (Some(starts_at), Some(ends_at)) = (session.starts_at, session.ends_at) else {
            continue;
        };
        let people = store
            .session_attendees(due.organisation, due.review)
            .await?;
        let mut emails = Vec::with_capacity(people.len());
        for (participant, _, email) in &people {
            let message = SessionEmail {
                organisation: due.organisation,
                review: due.review,
                participant: *participant,
                to: email,
                subject: format!("Reminder: session {} of {}", due.number, review.title),
                paragraphs: vec![
                    format!(
                        "A reminder that session {} of the review \u{201c}{}\u{201d} is coming up.",
                        due.number, review.title
                    ),
                    format!("Where: {}.", session.location),
                ],
                times: vec![slot_label(starts_at, ends_at)],
                link: None,
                calendar: None,
            }
            .build();
            match message {
                Ok(message) => emails.push(message),
                Err(e) => tracing::warn!(error = %e, "session reminder template failed"),
            }
        }
        if store.queue_session_reminders(&due, &emails).await? {
            reminded += 1;
        }
    }
    Ok(reminded)
}
