//! Who is asking, what they may do, and what they sent: checked before a handler runs.
//!
//! Authorisation is a handler parameter: a handler that takes [`OrgAdmin`] cannot run for
//! someone who is not an admin of the organisation in its path.

mod caller;
mod form;
mod organisation;
mod review;
mod session;
mod upload;

pub use caller::{ApiUser, Caller, ClientAddress, Session, SignedIn};
pub use form::Form;
pub use organisation::{OrgAdmin, OrgMember};
pub use review::{ReviewCreator, ReviewRunner};
pub use session::{NoteInPath, SessionNumber};
pub use upload::{MAX_UPLOAD_BYTES, UPLOAD_BODY_LIMIT, Upload, UploadProblem};
