//! Random bearer secrets (session ids, API tokens, invitation and reset links).
//!
//! Only a SHA-256 hash of each secret is stored, so a copy of the database cannot be used to sign
//! in or to accept an invitation. The secrets are 256 random bits, so an unsalted fast hash is
//! enough: there is nothing to guess.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly made secret: the value to hand out once, and the hash to store.
pub struct NewSecret {
    /// Given to the user (in a cookie, link or API response) and never stored.
    pub token: String,
    /// Stored in the database.
    pub hash: String,
}

impl NewSecret {
    /// Makes a new random secret, prefixed so leaked tokens can be recognised (e.g. `cg_`).
    #[must_use]
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
        let hash = hash_secret(&token);
        Self { token, hash }
    }
}

/// The stored form of a secret.
#[must_use]
pub fn hash_secret(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}
