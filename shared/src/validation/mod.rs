//! Validated newtypes: each `parse` checks one rule of docs/API.md's "Validation" list once,
//! so a value of these types is always acceptable to EventBridge.

mod arn;
mod names;
mod paging;
mod pattern;
mod text;
mod window;

pub use arn::{ArchiveArn, EventBusArn, RuleArn, arn_like, is_events_arn};
pub use names::{ArchiveName, EventBusName, JobName, NamePrefix, ReplayName, RuleName, TargetId};
pub use paging::{ListLimit, NextToken};
pub use pattern::{EventPattern, REPLAY_NAME, wildcard_matches};
pub use text::{Description, KmsKeyIdentifier, RetentionDays};
pub use window::ReplayWindow;

/// Implements `as_str`, `Display`, `AsRef<str>` and `Serialize` for a `String` newtype.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}
pub(crate) use string_newtype;
