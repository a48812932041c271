//! Pure types and rules of commonground: no I/O, no async.
//!
//! Everything that comes from outside (forms, API bodies, CSV, the command line) becomes one of
//! these types through a constructor that says exactly what is wrong, so the rest of the code
//! never holds an unchecked value.

pub mod anonymity;
pub mod capture;
pub mod cards;
pub mod dates;
pub mod email;
pub mod email_template;
pub mod ical;
pub mod ids;
pub mod instrument;
pub mod london;
pub mod organisation;
pub mod participants;
pub mod password;
pub mod person;
pub mod polls;
pub mod questionnaire;
pub mod reminders;
pub mod results;
pub mod review;
pub mod role;
pub mod session_plan;
pub mod text;

pub use email::EmailAddress;
pub use ids::{
    ActionId, ApiTokenId, CaptureItemId, CardId, DatePollId, DivisionId, InstrumentVersionId,
    InvitationId, JobId, OrganisationId, OutboxMessageId, ParticipantId, PollInviteeId, PollSlotId,
    ReviewId, ScoreChallengeId, UserId,
};
pub use organisation::{
    DivisionName, MinReportingGroup, OdsCode, OrganisationName, OrganisationType, Region,
    RetentionMonths,
};
pub use password::NewPassword;
pub use person::PersonName;
pub use role::{Role, RoleSet};

/// Why an input was refused, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    /// A refusal with the given user-facing message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
