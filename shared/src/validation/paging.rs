//! `limit` and `nextToken` of the list queries.

use super::string_newtype;
use crate::Field;
use crate::FieldError;

/// How many items one page of a list holds: 1–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListLimit(u8);

impl ListLimit {
    pub const MAX: u8 = 100;

    pub fn parse(value: i64) -> Result<Self, FieldError> {
        match u8::try_from(value) {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(FieldError::new(
                Field::Limit,
                format!("limit must be a whole number from 1 to {}.", Self::MAX),
            )),
        }
    }

    /// Digits only (no sign, no spaces), as the OpenAPI document's pattern says.
    pub fn parse_text(value: &str) -> Result<Self, FieldError> {
        let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| value.trim_start_matches('0').parse::<i64>().unwrap_or(0))
            .ok_or_else(|| {
                FieldError::new(
                    Field::Limit,
                    format!("limit must be a whole number from 1 to {}.", Self::MAX),
                )
            })
            .and_then(Self::parse)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The opaque token of the next page, exactly as EventBridge returned it: 1–2048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextToken(String);

impl NextToken {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let len = value.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(FieldError::new(
                Field::NextToken,
                "nextToken must be the token of a previous page (1 to 2048 characters).",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(NextToken);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_boundaries() {
        assert!(ListLimit::parse(0).is_err());
        assert_eq!(ListLimit::parse(1).unwrap().get(), 1);
        assert_eq!(ListLimit::parse(100).unwrap().get(), 100);
        assert!(ListLimit::parse(101).is_err());
        assert!(ListLimit::parse(-1).is_err());
        assert!(ListLimit::parse_text("ten").is_err());
        assert!(ListLimit::parse_text(" 10 ").is_err());
        assert!(ListLimit::parse_text("+5").is_err());
        assert_eq!(ListLimit::parse_text("010").unwrap().get(), 10);
        assert!(ListLimit::parse_text("99999999999999999999999").is_err());
    }

    #[test]
    fn next_token_boundaries() {
        assert!(NextToken::parse("").is_err());
        assert!(NextToken::parse(&"t".repeat(2048)).is_ok());
        let e = NextToken::parse(&"t".repeat(2049)).unwrap_err();
        assert_eq!(e.field, "nextToken");
    }
}
