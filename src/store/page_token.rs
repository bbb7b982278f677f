//! Page tokens of every paged read (searches, metric history): opaque to callers, inside
//! they carry the offset of the next page.

use crate::error::{Error, Result};

pub(crate) fn encode_page_token(offset: usize) -> String {
    format!("rt1-{offset}")
}

/// The offset a token names; no token (or an empty one) is the first page.
pub(crate) fn decode_page_token(token: Option<&str>) -> Result<usize> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(token) => token
            .strip_prefix("rt1-")
            .and_then(|offset| offset.parse().ok())
            .ok_or_else(|| Error::invalid(format!("Invalid page token '{token}'"))),
    }
}
