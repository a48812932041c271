//! Layers every request passes through.

pub mod csrf;
pub mod errors;
pub mod headers;
pub mod request_id;
