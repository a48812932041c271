//! Static files embedded in the binary, served under content-hashed names.
//!
//! Pages link to `/static/app.<hash>.css`; the hash changes whenever the file does, so browsers
//! may keep each version for a year without ever using a stale one.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Files;

/// Maps a logical name (`app.css`) to its hashed name (`app.1a2b3c4d.css`), and back.
struct Manifest {
    hashed: HashMap<String, String>,
    logical: HashMap<String, String>,
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
    let mut hashed = HashMap::new();
    let mut logical = HashMap::new();
    for name in Files::iter() {
        let Some(file) = Files::get(&name) else {
            continue;
        };
        let digest = Sha256::digest(&file.data);
        let short = digest.iter().take(5).fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
        let with_hash = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
            None => format!("{name}.{short}"),
        };
        hashed.insert(name.to_string(), with_hash.clone());
        logical.insert(with_hash, name.to_string());
    }
    Manifest { hashed, logical }
});

/// The URL of a static file by its logical name.
#[must_use]
pub fn url(name: &str) -> String {
    let file = MANIFEST.hashed.get(name).map_or(name, String::as_str);
    format!("/static/{file}")
}

/// Serves a static file; hashed names are cached for a year.
pub async fn show_static(Path(file): Path<String>) -> Result<Response, AppError> {
    let (name, immutable) = match MANIFEST.logical.get(&file) {
        Some(name) => (name.as_str(), true),
        None => (file.as_str(), false),
    };
    let content = Files::get(name).ok_or(AppError::NotFound)?;
    let mime = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        content.data.into_owned(),
    )
        .into_response())
}
