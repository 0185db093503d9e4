//! Event bus, archive and rule ARNs, checked against EventBridge's pattern.

use super::string_newtype;
use crate::{Field, FieldError};

/// The longest ARN EventBridge accepts in these operations.
const MAX_ARN_LEN: usize = 1600;

/// `^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:.+\/.+$` — the pattern
/// EventBridge applies to `EventSourceArn`, `Destination.Arn` and `FilterArns`.
pub fn is_events_arn(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("arn:aws") else {
        return false;
    };
    // partition suffix: ([a-z]|\-)*
    let Some((partition_suffix, rest)) = rest.split_once(':') else {
        return false;
    };
    if !partition_suffix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '-')
    {
        return false;
    }
    let Some(rest) = rest.strip_prefix("events:") else {
        return false;
    };
    let Some((region, rest)) = rest.split_once(':') else {
        return false;
    };
    if !region
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return false;
    }
    let Some((account, resource)) = rest.split_once(':') else {
        return false;
    };
    if !(account.is_empty() || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
    {
        return false;
    }
    // `.+\/.+`: some text, a slash, some text (`.` excludes line breaks).
    if resource.contains(['\n', '\r']) {
        return false;
    }
    resource
        .char_indices()
        .any(|(i, c)| c == '/' && i > 0 && i + 1 < resource.len())
}

fn check_arn(
    field: Field,
    value: &str,
    resource_prefix: &str,
    example: &str,
) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            format!("Enter an ARN such as {example}."),
        ));
    }
    if value.chars().count() > MAX_ARN_LEN {
        return Err(FieldError::new(
            field,
            format!("An ARN has at most {MAX_ARN_LEN} characters."),
        ));
    }
    let resource_ok = value
        .splitn(6, ':')
        .nth(5)
        .is_some_and(|resource| resource.starts_with(resource_prefix));
    if !is_events_arn(value) || !resource_ok {
        return Err(FieldError::new(
            field,
            format!("'{value}' is not a valid ARN here; expected one such as {example}."),
        ));
    }
    Ok(())
}

/// Splits the name (everything after the first `/` of the resource) off an ARN that has
/// already been validated.
fn resource_name(arn: &str) -> &str {
    arn.splitn(6, ':')
        .nth(5)
        .and_then(|resource| resource.split_once('/'))
        .map(|(_, name)| name)
        .unwrap_or_default()
}

/// The ARN of an event bus (`…:event-bus/NAME`): the source of an archive, the
/// destination of a replay.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventBusArn(String);

impl EventBusArn {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_arn(
            Field::EventSourceArn,
            value,
            "event-bus/",
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
        )?;
        // EventBridge's bus names: so no `:` or `*` in a name can make one ARN look like
        // another to a pattern match.
        let name = resource_name(value);
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_')))
        {
            return Err(FieldError::new(
                Field::EventSourceArn,
                format!(
                    "An event bus name may contain only letters, digits, '/', '.', '-' and '_'; '{}' is not allowed.",
                    bad.escape_default()
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The bus name, e.g. `orders`.
    pub fn bus_name(&self) -> &str {
        resource_name(&self.0)
    }

    /// The ARN of rule `rule` on this bus: `rule/NAME` on the default bus,
    /// `rule/BUS/NAME` on the others.
    pub fn rule_arn(&self, rule: &str) -> String {
        let prefix = self.0.split("event-bus/").next().unwrap_or_default();
        match self.bus_name() {
            "default" => format!("{prefix}rule/{rule}"),
            bus => format!("{prefix}rule/{bus}/{rule}"),
        }
    }
}
string_newtype!(EventBusArn);

/// The ARN of an archive (`…:archive/NAME`): the source of a replay.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchiveArn(String);

impl ArchiveArn {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_arn(
            Field::EventSourceArn,
            value,
            "archive/",
            "arn:aws:events:us-east-1:123456789012:archive/orders-all",
        )?;
        Ok(Self(value.to_owned()))
    }

    /// The archive name, e.g. `orders-all`.
    pub fn archive_name(&self) -> &str {
        resource_name(&self.0)
    }
}
string_newtype!(ArchiveArn);

/// The ARN of a rule (`…:rule/[BUS/]NAME`): a replay filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleArn(String);

impl RuleArn {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        check_arn(
            Field::DestinationFilterArns,
            value,
            "rule/",
            "arn:aws:events:us-east-1:123456789012:rule/orders/order-created",
        )?;
        Ok(Self(value.to_owned()))
    }

    /// The rule's name: the ARN's last part.
    pub fn rule_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}
string_newtype!(RuleArn);

/// IAM's `ArnLike`: `pattern` and `arn` are each split into their six colon-separated
/// parts (the resource being the rest), and each part is matched on its own, where `*`
/// stands for any run of characters and `?` for one, neither ever matching a `:`. So
/// `arn:aws:events:*:111122223333:event-bus/*` never matches a bus of another account
/// whose name merely contains `:111122223333:`.
pub fn arn_like(pattern: &str, arn: &str) -> bool {
    let pattern: Vec<&str> = pattern.splitn(6, ':').collect();
    let arn: Vec<&str> = arn.splitn(6, ':').collect();
    pattern.len() == 6
        && arn.len() == 6
        && pattern
            .iter()
            .zip(&arn)
            .all(|(p, a)| glob_within_part(p.as_bytes(), a.as_bytes()))
}

/// `*` and `?` globbing where neither matches a `:`.
fn glob_within_part(pattern: &[u8], text: &[u8]) -> bool {
    // The classic two-pointer match with one backtrack point per `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'?') if text[t] != b':' => {
                p += 1;
                t += 1;
            }
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c != b'*' && c != b'?' && c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // The star takes one more character, unless that is a `:`.
                Some((sp, st)) if text[st] != b':' => {
                    star = Some((sp, st + 1));
                    p = sp + 1;
                    t = st + 1;
                }
                _ => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_pattern() {
        for ok in [
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
            "arn:aws-cn:events:cn-north-1:123456789012:archive/a",
            "arn:aws-us-gov:events:us-gov-west-1::event-bus/x",
            "arn:aws:events::123456789012:rule/bus/name",
            "arn:aws:events::123456789012:event-bus/name/",
            "arn:aws:events::123456789012://x",
        ] {
            assert!(is_events_arn(ok), "{ok}");
        }
        for bad in [
            "",
            "arn:aws:sqs:us-east-1:123456789012:queue/x",
            "arn:aws:events:us-east-1:1234:event-bus/x",
            "arn:aws:events:US-EAST-1:123456789012:event-bus/x",
            "arn:aws:events:us-east-1:123456789012:event-bus",
            "arn:aws:events:us-east-1:123456789012:event-bus/",
            "arn:aws:events:us-east-1:123456789012:/x",
            "arn:aws:events:us-east-1:123456789012:/",
            "arn:aws1:events:us-east-1:123456789012:event-bus/x",
            "arn:aws:events:us-east-1:123456789012:event-bus/x\ny",
            "aws:events:us-east-1:123456789012:event-bus/x",
        ] {
            assert!(!is_events_arn(bad), "{bad}");
        }
    }

    #[test]
    fn arn_like_matches_part_by_part() {
        let look_alike =
            "arn:aws:events:us-east-1:999999999999:event-bus/a:111122223333:event-bus/b";
        // A star never crosses a colon: the look-alike is another account's bus.
        assert!(!arn_like(
            "arn:aws:events:*:111122223333:event-bus/*",
            look_alike
        ));
        assert!(!arn_like("arn:aws:events:*:*:event-bus/b", look_alike));
        assert!(!arn_like("arn:aws:*", look_alike));
        // The old whole-string match would have taken it.
        assert!(crate::validation::wildcard_matches(
            "arn:aws:events:*:111122223333:event-bus/*",
            look_alike
        ));
        let bus = "arn:aws:events:us-east-1:111122223333:event-bus/orders";
        assert!(arn_like("arn:aws:events:*:111122223333:event-bus/*", bus));
        assert!(arn_like(
            "arn:aws:events:us-east-?:111122223333:event-bus/order?",
            bus
        ));
        assert!(arn_like("arn:aws:events:*:*:*", bus));
        assert!(arn_like(bus, bus));
        assert!(!arn_like(
            "arn:aws:events:us-east-1:111122223333:event-bus/order",
            bus
        ));
        assert!(!arn_like(
            "arn:aws:events:us-east-1:111122223333:event-bus/orders?",
            bus
        ));
        assert!(!arn_like(
            "arn:aws-cn:events:*:111122223333:event-bus/*",
            bus
        ));
        assert!(!arn_like("arn:aws:events:*:111122223333", bus));
        assert!(!arn_like("arn:aws:events:*:???????????:event-bus/*", bus));
        assert!(arn_like("arn:aws:events:*:????????????:event-bus/*", bus));
        // And such a look-alike is no bus ARN at all.
        assert!(EventBusArn::parse(look_alike).is_err());
    }

    #[test]
    fn length_boundary() {
        let base = "arn:aws:events:us-east-1:123456789012:event-bus/";
        let ok = format!("{base}{}", "b".repeat(1600 - base.len()));
        assert!(EventBusArn::parse(&ok).is_ok());
        let too_long = format!("{ok}b");
        let e = EventBusArn::parse(&too_long).unwrap_err();
        assert!(e.message.contains("1600"));
    }

    #[test]
    fn kinds_are_distinguished_and_named() {
        let bus =
            EventBusArn::parse("arn:aws:events:us-east-1:123456789012:event-bus/orders").unwrap();
        assert_eq!(bus.bus_name(), "orders");
        assert_eq!(
            bus.rule_arn("r1"),
            "arn:aws:events:us-east-1:123456789012:rule/orders/r1"
        );
        let default =
            EventBusArn::parse("arn:aws:events:us-east-1:123456789012:event-bus/default").unwrap();
        assert_eq!(
            default.rule_arn("r1"),
            "arn:aws:events:us-east-1:123456789012:rule/r1"
        );
        let archive =
            ArchiveArn::parse("arn:aws:events:us-east-1:123456789012:archive/orders-all").unwrap();
        assert_eq!(archive.archive_name(), "orders-all");
        let e = ArchiveArn::parse(bus.as_str()).unwrap_err();
        assert_eq!(e.field, "eventSourceArn");
        assert!(e.message.contains("archive/"), "{}", e.message);
        assert!(RuleArn::parse("arn:aws:events:us-east-1:123456789012:rule/orders/r1").is_ok());
        assert!(EventBusArn::parse("").is_err());
    }
}
