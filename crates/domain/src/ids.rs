//! One type per kind of id, so an organisation id can never be passed where a user id belongs.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A person with an account.
    UserId,
    /// A trust, health board or ICB.
    OrganisationId,
    /// A division of an organisation.
    DivisionId,
    /// An invitation to join an organisation.
    InvitationId,
    /// A personal API token.
    ApiTokenId,
    /// A message in the outbox.
    OutboxMessageId,
    /// A review: one team's cycle.
    ReviewId,
    /// A person invited to answer a review's questionnaire.
    ParticipantId,
    /// One stored version of an instrument.
    InstrumentVersionId,
    /// A background job.
    JobId,
    /// A review's date poll.
    DatePollId,
    /// A candidate time in a date poll.
    PollSlotId,
    /// Someone asked to answer a date poll.
    PollInviteeId,
    /// An organisation's own card.
    CardId,
    /// A theme, good practice example or next step noted in a session.
    CaptureItemId,
    /// A challenged score, recorded in session 2.
    ScoreChallengeId,
    /// An action of a review's action plan.
    ActionId,
);
