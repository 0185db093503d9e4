//! Random parts of names: 64 bits from the operating system's generator, so a name
//! Rewind makes (a temporary rule, a peek) is one no other request can produce.

use crate::error::ApiError;

/// 64 random bits.
pub fn bits() -> Result<u64, ApiError> {
    getrandom::u64()
        .map_err(|e| ApiError::upstream(format!("No random numbers to name a resource with: {e}")))
}
