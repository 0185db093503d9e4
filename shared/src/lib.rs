//! Rewind's single definition of the HTTP contract (`docs/API.md`): every request and
//! response body, the state enums, the error body, and the validated newtypes that
//! enforce each rule. Both the backend (native) and the console (wasm32) compile it,
//! so a value is checked by the same code on every keystroke and on every request.
//!
//! Wire DTOs carry plain strings so that any JSON a client sends can be read and then
//! answered with an error that names the field; `validate`/`parse` turn them into the
//! validated types, which cannot hold an invalid value. No I/O lives here.

/// Declares a state sent on the wire in capitals (`CREATE_FAILED`): its variants, `ALL`,
/// `as_str` and `parse` (anything else refused on `state`, naming what it is not) from
/// one list — the archive, replay and job states share one definition of all that. Each
/// variant's wire name is serde's `SCREAMING_SNAKE_CASE` of it (a test holds `as_str` to
/// that).
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident ($noun:literal) {
        $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every state, in the order they are declared.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )* ];

            /// The name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $wire, )* }
            }

            pub fn parse(value: &str) -> Result<Self, crate::FieldError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|s| s.as_str() == value)
                    .ok_or_else(|| {
                        crate::FieldError::new(
                            crate::Field::State,
                            format!(
                                "'{value}' is not {}; use one of {}.",
                                $noun,
                                Self::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })
            }
        }
    };
}

pub mod archive;
pub mod console;
pub mod endpoints;
pub mod error;
pub mod event_bus;
pub mod event_pattern;
pub mod health;
pub mod job;
pub mod list;
pub mod now;
pub mod peek;
pub mod preview;
pub mod progress;
pub mod replay;
pub mod report;
pub mod roles;
pub mod routing;
pub mod teams;
pub mod v2;
pub mod validation;

pub use error::{ErrorBody, ErrorCode, ErrorDetail, Field, FieldError};
pub use progress::ReplayProgress;

/// RFC 3339 (de)serialisation for timestamps; always written in UTC.
pub mod timestamp {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(value: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let text = value
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    /// Parses an RFC 3339 timestamp (any offset) into UTC.
    pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
        OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map(|t| t.to_offset(time::UtcOffset::UTC))
            .map_err(|_| {
                format!("'{text}' is not an RFC 3339 timestamp such as 2026-11-26T13:00:00Z")
            })
    }

    /// Formats a timestamp as RFC 3339 in UTC.
    pub fn format(value: OffsetDateTime) -> String {
        value
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_else(|_| value.unix_timestamp().to_string())
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::OffsetDateTime;

        pub fn serialize<S: Serializer>(
            value: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => super::parse(&text)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}
