//! Archive, replay and event bus names, and name prefixes.

use super::string_newtype;
use crate::Field;
use crate::FieldError;

/// `[.\-_A-Za-z0-9]`: the characters EventBridge allows in archive and replay names.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// `noun` is the thing checked with its article, e.g. "an archive name".
fn check_name(field: Field, noun: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let mut chars = noun.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect();
    let noun_alone = noun.split_once(' ').map_or(noun, |(_, rest)| rest);
    if value.is_empty() {
        return Err(FieldError::new(field, format!("Enter {noun}.")));
    }
    let len = value.chars().count();
    if len > max {
        return Err(FieldError::new(
            field,
            format!("{capitalised} has at most {max} characters; this one has {len}."),
        ));
    }
    if let Some(bad) = value.chars().find(|c| !is_name_char(*c)) {
        return Err(FieldError::new(
            field,
            format!(
                "{capitalised} may contain only letters, digits, '.', '-' and '_'; '{}' is not allowed in {noun_alone}s.",
                bad.escape_default()
            ),
        ));
    }
    Ok(())
}

/// An archive name: 1–48 characters of `[.\-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchiveName(String);

impl ArchiveName {
    pub const MAX_LEN: usize = 48;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(Field::ArchiveName, "an archive name", value, Self::MAX_LEN)?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(ArchiveName);

/// A replay name: 1–64 characters of `[.\-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplayName(String);

impl ReplayName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(Field::ReplayName, "a replay name", value, Self::MAX_LEN)?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(ReplayName);

/// A replay job's name: 1–43 characters of `[.\-_A-Za-z0-9]`, so that each slice's replay
/// name (`{jobName}-{16 hex digits}-{k:03}`, see `crate::job::slice_name`) is a replay name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobName(String);

impl JobName {
    /// 64 (a replay name) less `-`, the slice key's 16 digits, `-` and three digits.
    pub const MAX_LEN: usize = 43;

    /// Jobs made before slice names carried a key could have names this long, and keep
    /// them: they are still read, paused, resumed and cancelled by name.
    pub const EXISTING_MAX_LEN: usize = 56;

    /// A name for a new job.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(Field::JobName, "a job name", value, Self::MAX_LEN)?;
        Ok(Self(value.to_owned()))
    }

    /// The name of a job that may exist already (see [`Self::EXISTING_MAX_LEN`]).
    pub fn parse_existing(value: &str) -> Result<Self, FieldError> {
        check_name(Field::JobName, "a job name", value, Self::EXISTING_MAX_LEN)?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(JobName);

/// A rule name: 1–64 characters of `[.\-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleName(String);

impl RuleName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(Field::Rule, "a rule name", value, Self::MAX_LEN)?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(RuleName);

/// A target's id within its rule: 1–64 characters of `[.\-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetId(String);

impl TargetId {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(Field::TargetId, "a target id", value, 64)?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(TargetId);

/// A list filter on names: same character set, 1–64 characters (the longer replay limit;
/// archive listings simply find nothing past 48).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamePrefix(String);

impl NamePrefix {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_name(
            Field::NamePrefix,
            "a name prefix",
            value,
            ReplayName::MAX_LEN,
        )?;
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(NamePrefix);

/// An event bus name, as used in paths: 1–256 characters of `[/\.\-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventBusName(String);

impl EventBusName {
    pub const MAX_LEN: usize = 256;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = Field::Name;
        if value.is_empty() {
            return Err(FieldError::new(field, "Enter an event bus name."));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                "An event bus name has at most 256 characters.",
            ));
        }
        if let Some(bad) = value.chars().find(|c| !(is_name_char(*c) || *c == '/')) {
            return Err(FieldError::new(
                field,
                format!(
                    "An event bus name may contain only letters, digits, '.', '-', '_' and '/'; '{}' is not allowed.",
                    bad.escape_default()
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(EventBusName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_name_boundaries() {
        assert!(ArchiveName::parse(&"a".repeat(48)).is_ok());
        let too_long = ArchiveName::parse(&"a".repeat(49)).unwrap_err();
        assert_eq!(too_long.field, "archiveName");
        assert!(too_long.message.contains("48"), "{}", too_long.message);
        assert!(ArchiveName::parse("").is_err());
        assert!(ArchiveName::parse("a").is_ok());
        assert!(ArchiveName::parse("Orders.all-2026_v1").is_ok());
    }

    #[test]
    fn archive_name_character_set() {
        for bad in ["a b", "a/b", "a:b", "é", "a*", "a\n"] {
            let e = ArchiveName::parse(bad).unwrap_err();
            assert_eq!(e.field, "archiveName", "{bad}");
            assert!(e.message.contains("not allowed"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn replay_name_boundaries() {
        assert!(ReplayName::parse(&"r".repeat(64)).is_ok());
        let e = ReplayName::parse(&"r".repeat(65)).unwrap_err();
        assert_eq!(e.field, "replayName");
        assert!(ReplayName::parse("").is_err());
        assert!(ReplayName::parse("x y").is_err());
    }

    #[test]
    fn name_prefix_reports_its_own_field() {
        let e = NamePrefix::parse("a b").unwrap_err();
        assert_eq!(e.field, "namePrefix");
        assert!(e.message.starts_with("A name prefix may"), "{}", e.message);
        let e = ArchiveName::parse("").unwrap_err();
        assert_eq!(e.message, "Enter an archive name.");
        assert!(NamePrefix::parse("orders-").is_ok());
    }

    #[test]
    fn event_bus_name_allows_slashes() {
        assert!(EventBusName::parse("aws.partner/foo/bar").is_ok());
        assert!(EventBusName::parse("default").is_ok());
        assert!(EventBusName::parse("").is_err());
        assert!(EventBusName::parse("a b").is_err());
        assert!(EventBusName::parse(&"b".repeat(257)).is_err());
    }
}
