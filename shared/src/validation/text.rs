//! Descriptions, retention days and KMS key identifiers.

use super::string_newtype;
use crate::Field;
use crate::FieldError;

/// A description: at most 512 characters. Empty means "none" (and clears it on update).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Description(String);

impl Description {
    pub const MAX_LEN: usize = 512;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let len = value.chars().count();
        if len > Self::MAX_LEN {
            return Err(FieldError::new(
                Field::Description,
                format!(
                    "A description has at most {} characters; this one has {len}.",
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(Description);

/// How long an archive keeps events, in days; 0 means "indefinitely".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RetentionDays(i32);

impl RetentionDays {
    pub const INDEFINITE: Self = Self(0);

    pub fn parse(value: i64) -> Result<Self, FieldError> {
        if value < 0 {
            return Err(FieldError::new(
                Field::RetentionDays,
                "Retention must be 0 (keep indefinitely) or a positive number of days.",
            ));
        }
        i32::try_from(value).map(Self).map_err(|_| {
            FieldError::new(
                Field::RetentionDays,
                format!("Retention can be at most {} days.", i32::MAX),
            )
        })
    }

    /// Parses what a person typed in a form field.
    pub fn parse_text(value: &str) -> Result<Self, FieldError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Ok(Self::INDEFINITE);
        }
        trimmed
            .parse::<i64>()
            .map_err(|_| {
                FieldError::new(
                    Field::RetentionDays,
                    "Retention must be a whole number of days.",
                )
            })
            .and_then(Self::parse)
    }

    pub fn days(self) -> i32 {
        self.0
    }

    pub fn is_indefinite(self) -> bool {
        self.0 == 0
    }
}

/// A KMS key identifier (ID, ARN, alias name or alias ARN): at most 2048 characters of
/// `[a-zA-Z0-9_\-/:]`. Empty selects the AWS owned key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KmsKeyIdentifier(String);

impl KmsKeyIdentifier {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = Field::KmsKeyIdentifier;
        if value.len() > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                format!(
                    "A KMS key identifier has at most {} characters.",
                    Self::MAX_LEN
                ),
            ));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | ':')))
        {
            return Err(FieldError::new(
                field,
                format!(
                    "A KMS key identifier may contain only letters, digits, '_', '-', '/' and ':'; '{}' is not allowed.",
                    bad.escape_default()
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(KmsKeyIdentifier);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_boundaries() {
        assert!(Description::parse("").is_ok());
        assert!(Description::parse(&"d".repeat(512)).is_ok());
        let e = Description::parse(&"d".repeat(513)).unwrap_err();
        assert_eq!(e.field, "description");
        // characters, not bytes
        assert!(Description::parse(&"é".repeat(512)).is_ok());
    }

    #[test]
    fn retention_boundaries() {
        assert_eq!(RetentionDays::parse(0).unwrap(), RetentionDays::INDEFINITE);
        assert_eq!(RetentionDays::parse(30).unwrap().days(), 30);
        let e = RetentionDays::parse(-1).unwrap_err();
        assert_eq!(e.field, "retentionDays");
        assert!(RetentionDays::parse(i64::from(i32::MAX)).is_ok());
        assert!(RetentionDays::parse(i64::from(i32::MAX) + 1).is_err());
        assert!(RetentionDays::parse_text("").unwrap().is_indefinite());
        assert!(RetentionDays::parse_text("1.5").is_err());
        assert!(RetentionDays::parse_text(" 7 ").is_ok());
    }

    #[test]
    fn kms_key_identifier() {
        assert!(KmsKeyIdentifier::parse("").is_ok());
        assert!(KmsKeyIdentifier::parse("alias/rewind").is_ok());
        assert!(
            KmsKeyIdentifier::parse("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab").is_ok()
        );
        assert!(KmsKeyIdentifier::parse(&"k".repeat(2048)).is_ok());
        assert!(KmsKeyIdentifier::parse(&"k".repeat(2049)).is_err());
        let e = KmsKeyIdentifier::parse("alias rewind").unwrap_err();
        assert_eq!(e.field, "kmsKeyIdentifier");
    }
}
