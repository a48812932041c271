//! The jobs that email many participants of a review: invitations, reminders and thanks.

use commonground_domain::email_template::EmailKind;
use commonground_store::jobs::ClaimedJob;
use commonground_store::mailings::{
    Audience, BatchEmail, BatchOutcome, SEND_INVITATIONS, SEND_REMINDERS, SEND_THANKS,
};
use commonground_store::{NewSecret, Store, now};

use crate::JobError;
use crate::render;

/// Recipients handled per transaction: big enough to be quick, small enough that a crash
/// repeats little and the progress bar moves.
const BATCH: i64 = 200;
/// How long each batch renews the job's claim for.
const LEASE: i64 = 120;

/// Which mailing a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mailing {
    /// Personal links to everyone without one.
    Invitations,
    /// Reminders to those who have not answered, invited before the given time.
    Reminders { invited_before: i64 },
    /// Thanks to those who answered.
    Thanks,
}

impl Mailing {
    /// The mailing a job of `kind` sends; a reminder job's payload is the invitation cut-off.
    pub(crate) fn from_kind(kind: &str, payload: &str) -> Option<Self> {
        match kind {
            SEND_INVITATIONS => Some(Mailing::Invitations),
            SEND_REMINDERS => Some(Mailing::Reminders {
                invited_before: payload.trim().parse().unwrap_or(i64::MAX),
            }),
            SEND_THANKS => Some(Mailing::Thanks),
            _ => None,
        }
    }

    fn kind(self) -> EmailKind {
        match self {
            Mailing::Invitations => EmailKind::Invitation,
            Mailing::Reminders { .. } => EmailKind::Reminder,
            Mailing::Thanks => EmailKind::ThankYou,
        }
    }

    fn audience(self) -> Audience {
        match self {
            Mailing::Invitations => Audience::Uninvited,
            Mailing::Reminders { invited_before } => Audience::NotAnswered { invited_before },
            Mailing::Thanks => Audience::Answered,
        }
    }
}

/// Emails every recipient of `mailing` that this job has not emailed yet, batch by batch.
pub(crate) async fn run(
    store: &Store,
    base_url: &str,
    job: &ClaimedJob,
    mailing: Mailing,
) -> Result<(), JobError> {
    let (Some(org), Some(review)) = (job.organisation, job.review) else {
        return Err(JobError::Fail("the job names no review".into()));
    };
    let Some(context) = store.mailing_context(org, review).await? else {
        // The review was deleted: nobody to email.
        return Ok(());
    };
    let kind = mailing.kind();
    let template =
        render::template_or_default(store.email_template(org, review, kind).await?, kind);
    let with_link = mailing != Mailing::Thanks;
    loop {
        let recipients = store
            .next_recipients(job, org, review, mailing.audience(), BATCH)
            .await?;
        if recipients.is_empty() {
            return Ok(());
        }
        let mut batch = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            let (new_link, link) = match (with_link, recipient.token) {
                (false, _) => (None, String::new()),
                (true, Some(token)) => (None, format!("{base_url}/q/{token}")),
                (true, None) => {
                    let secret = NewSecret::generate("");
                    let link = format!("{base_url}/q/{}", secret.token);
                    (Some(secret), link)
                }
            };
            let values = render::values(&context, &recipient.participant.name, &link);
            let email = render::build(org, review, &template, &values, &recipient.participant)
                .map_err(|e| JobError::Fail(format!("the {kind} template cannot be used: {e}")))?;
            batch.push(BatchEmail {
                participant: recipient.participant.id,
                new_link,
                email,
            });
        }
        let needs_open = mailing != Mailing::Thanks;
        match store
            .queue_batch(job, review, needs_open, &batch, now() + LEASE)
            .await?
        {
            // Nothing stored means nothing changed: stop rather than loop.
            BatchOutcome::Queued(0) | BatchOutcome::NotOpen | BatchOutcome::ClaimLost => {
                return Ok(());
            }
            BatchOutcome::Queued(_) => {}
        }
    }
}
