//! Checking an email and password, with the rate limit, for the sign-in page and the API; and
//! the limit on making API tokens, which stops a stolen session minting tokens by the thousand.
//!
//! Failed attempts are counted in the database per email address and per client address over
//! 15 minutes, so every instance shares the count. Past the limit the password is not even
//! checked, so guessing gains nothing. Callers never learn whether the email has an account.

use commonground_domain::{EmailAddress, UserId};
use commonground_store::users::User;

use crate::error::AppResult;
use crate::passwords;
use crate::state::AppState;

/// Failed attempts for one email before sign-in pauses.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed attempts from one client address before sign-in pauses.
pub const MAX_FAILURES_PER_CLIENT: i64 = 50;

/// API tokens one person may make in an hour.
pub const MAX_TOKENS_PER_HOUR: i64 = 10;

/// Why no more API tokens can be made now, as a sentence for pages and problem documents.
pub const TOO_MANY_TOKENS: &str = "You have made 10 API tokens in the last hour. Wait an hour \
     before making another, or use one you already have";

/// Whether `user` may make another API token now.
pub async fn may_make_token(state: &AppState, user: UserId) -> AppResult<bool> {
    let since = commonground_store::now() - 3_600;
    let made = state.store.api_tokens_made_since(user, since).await?;
    Ok(made < MAX_TOKENS_PER_HOUR)
}

/// Why the credentials were not accepted.
pub enum Refusal {
    /// Too many recent failures for this email or client.
    TooManyAttempts,
    /// Unknown email or wrong password (deliberately not told apart).
    WrongCredentials,
}

impl Refusal {
    /// The message to show.
    #[must_use]
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::TooManyAttempts => {
                "There have been too many attempts to sign in. Wait 15 minutes and try again, or reset your password"
            }
            Refusal::WrongCredentials => "Enter a correct email address and password",
        }
    }
}

/// The account, if the password is right and the limit not reached; failures are counted.
pub async fn check_credentials(
    state: &AppState,
    email: &EmailAddress,
    password: &str,
    client: &str,
) -> AppResult<Result<User, Refusal>> {
    let (by_email, by_client) = state
        .store
        .recent_sign_in_failures(email.as_str(), client)
        .await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_client >= MAX_FAILURES_PER_CLIENT {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    let credentials = state.store.find_credentials(email).await?;
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let verified = passwords::verify(password.to_owned(), stored).await;
    if let Some(user) = credentials.map(|c| c.user).filter(|_| verified) {
        state.store.clear_sign_in_failures(email.as_str()).await?;
        Ok(Ok(user))
    } else {
        state
            .store
            .record_sign_in_failure(email.as_str(), client)
            .await?;
        Ok(Err(Refusal::WrongCredentials))
    }
}
