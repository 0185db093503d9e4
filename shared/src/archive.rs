//! Archive DTOs (`/api/archives`) and their validated forms.

use crate::Field;
use crate::FieldError;
use crate::list::present;
use crate::validation::{
    ArchiveName, Description, EventBusArn, EventPattern, KmsKeyIdentifier, RetentionDays,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

wire_enum! {
    /// The lifecycle state of an archive.
    pub enum ArchiveState ("an archive state") {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
        Creating = "CREATING",
        Updating = "UPDATING",
        CreateFailed = "CREATE_FAILED",
        UpdateFailed = "UPDATE_FAILED",
    }
}

/// One row of `GET /api/archives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveSummary {
    pub archive_name: String,
    /// The event bus the archive records.
    pub event_source_arn: String,
    pub state: ArchiveState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// 0 means events are kept indefinitely.
    pub retention_days: i32,
    /// Reconciled by EventBridge over up to 24 hours.
    pub size_bytes: i64,
    /// Reconciled by EventBridge over up to 24 hours.
    pub event_count: i64,
    #[serde(with = "crate::timestamp")]
    pub creation_time: OffsetDateTime,
}

/// `GET /api/archives/{name}`: every field of DescribeArchive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Archive {
    #[serde(flatten)]
    pub summary: ArchiveSummary,
    pub archive_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

/// How events are encrypted at rest, as a reader is told: "customer managed key …" or
/// "AWS owned key". `key`: a KmsKeyIdentifier as EventBridge returns it (empty or absent:
/// an AWS owned key).
pub fn encryption_label(key: Option<&str>) -> String {
    match key.filter(|k| !k.is_empty()) {
        Some(key) => format!("customer managed key {key}"),
        None => "AWS owned key".to_owned(),
    }
}

/// The warning when an archive keeps its bus's events less protected than the bus does:
/// the bus uses a customer managed key and the archive an AWS owned one. (AWS: "If you
/// have specified that EventBridge use a customer managed key for encrypting the source
/// event bus, we strongly recommend you also specify a customer managed key for any
/// archives for the event bus.") Another customer managed key is not less protected.
pub fn less_protected_than_bus(archive_key: Option<&str>, bus_key: Option<&str>) -> Option<String> {
    let bus_key = bus_key.filter(|k| !k.is_empty())?;
    if archive_key.is_some_and(|k| !k.is_empty()) {
        return None;
    }
    // The key's own identifier (`alias/orders-events`, a key's bare ID): its ARN is shown
    // beside the warning, and either identifier is one the KMS field takes.
    let bus_key = bus_key.rsplit_once(':').map_or(bus_key, |(_, name)| name);
    let bus_key = bus_key.strip_prefix("key/").unwrap_or(bus_key);
    Some(format!(
        "Less protected than its bus: the bus uses the customer managed key {bus_key}, this archive an AWS owned key, outside that key's policy and CloudTrail record. Use the bus's key."
    ))
}

/// `GET /api/archives` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveList {
    pub archives: Vec<ArchiveSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Declares an archive body: its own leading fields, then the settings an archive can
/// change after it is made (description, pattern, retention, KMS key). A create and an
/// update share this one definition of those four fields and their limits.
macro_rules! archive_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$lead_meta:meta])* pub $lead:ident: $lead_ty:ty,)*
            ..
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name {
            $($(#[$lead_meta])* pub $lead: $lead_ty,)*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(max_length = 512))]
            pub description: Option<String>,
            /// A JSON event pattern; empty: every event.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
            pub event_pattern: Option<String>,
            /// Days to keep events; 0: indefinitely.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 2147483647))]
            pub retention_days: Option<i64>,
            /// A customer managed KMS key; empty: an AWS owned key.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(
                feature = "openapi",
                schema(max_length = 2048, pattern = r"^[a-zA-Z0-9_\-/:]*$")
            )]
            pub kms_key_identifier: Option<String>,
        }
    };
}

archive_request! {
    /// `POST /api/archives` body.
    pub struct CreateArchiveRequest {
        #[cfg_attr(
            feature = "openapi",
            schema(min_length = 1, max_length = 48, pattern = r"^[\.\-_A-Za-z0-9]+$")
        )]
        pub archive_name: String,
        /// The ARN of the event bus to archive.
        #[cfg_attr(
            feature = "openapi",
            schema(
                min_length = 1,
                max_length = 1600,
                pattern = r"^arn:aws[a-z\-]*:events:[a-z0-9\-]*:([0-9]{12})?:event-bus/.+$"
            )
        )]
        pub event_source_arn: String,
        ..
    }
}

/// A create request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArchive {
    pub name: ArchiveName,
    pub event_source: EventBusArn,
    pub description: Option<Description>,
    pub event_pattern: Option<EventPattern>,
    pub retention: Option<RetentionDays>,
    pub kms_key: Option<KmsKeyIdentifier>,
}

impl NewArchive {
    /// Whether `archive` is exactly what this request asks for: how a create whose first
    /// attempt timed out (but went through) and whose retry got `AlreadyExists` tells that
    /// the archive is its own work rather than someone else's.
    pub fn is_fulfilled_by(&self, archive: &Archive) -> bool {
        let same_text = |asked: Option<&str>, found: Option<&str>| {
            asked.unwrap_or_default() == found.unwrap_or_default()
        };
        let same_pattern = match (&self.event_pattern, archive.event_pattern.as_deref()) {
            (None, found) => found.unwrap_or_default().is_empty(),
            (Some(asked), Some(found)) => {
                serde_json::from_str::<serde_json::Value>(asked.as_str()).ok()
                    == serde_json::from_str::<serde_json::Value>(found).ok()
            }
            (Some(_), None) => false,
        };
        archive.summary.archive_name == self.name.as_str()
            && archive.summary.event_source_arn == self.event_source.as_str()
            && same_text(
                self.description.as_ref().map(|d| d.as_str()),
                archive.description.as_deref(),
            )
            && same_pattern
            && self.retention.map_or(0, RetentionDays::days) == archive.summary.retention_days
            && same_text(
                self.kms_key.as_ref().map(|k| k.as_str()),
                archive.kms_key_identifier.as_deref(),
            )
    }
}

impl CreateArchiveRequest {
    /// Every field's problem at once (a form shows each under its field); empty when valid.
    pub fn problems(&self) -> Vec<FieldError> {
        let checks = [
            ArchiveName::parse(&self.archive_name).err(),
            EventBusArn::parse(&self.event_source_arn).err(),
            present(self.description.as_deref()).and_then(|d| Description::parse(d).err()),
            present(self.event_pattern.as_deref()).and_then(|p| EventPattern::parse(p).err()),
            self.retention_days
                .and_then(|r| RetentionDays::parse(r).err()),
            present(self.kms_key_identifier.as_deref())
                .and_then(|k| KmsKeyIdentifier::parse(k).err()),
        ];
        checks.into_iter().flatten().collect()
    }

    pub fn validate(&self) -> Result<NewArchive, FieldError> {
        Ok(NewArchive {
            name: ArchiveName::parse(&self.archive_name)?,
            event_source: EventBusArn::parse(&self.event_source_arn)?,
            description: present(self.description.as_deref())
                .map(Description::parse)
                .transpose()?,
            event_pattern: present(self.event_pattern.as_deref())
                .map(EventPattern::parse)
                .transpose()?,
            retention: self.retention_days.map(RetentionDays::parse).transpose()?,
            kms_key: present(self.kms_key_identifier.as_deref())
                .map(KmsKeyIdentifier::parse)
                .transpose()?,
        })
    }
}

archive_request! {
    /// `PATCH /api/archives/{name}` body: at least one field. An empty `description` clears
    /// it; an empty `eventPattern` removes the pattern (archive every event); an empty
    /// `kmsKeyIdentifier` switches to an AWS owned key; `retentionDays: 0` keeps indefinitely.
    pub struct UpdateArchiveRequest {
        ..
    }
}

/// An update that passed every check. `Some(None)` for the pattern removes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveUpdate {
    pub description: Option<Description>,
    pub event_pattern: Option<Option<EventPattern>>,
    pub retention: Option<RetentionDays>,
    pub kms_key: Option<KmsKeyIdentifier>,
}

impl UpdateArchiveRequest {
    pub fn validate(&self) -> Result<ArchiveUpdate, FieldError> {
        if self.description.is_none()
            && self.event_pattern.is_none()
            && self.retention_days.is_none()
            && self.kms_key_identifier.is_none()
        {
            return Err(FieldError::new(
                Field::Body,
                "Give at least one of description, eventPattern, retentionDays or kmsKeyIdentifier to change.",
            ));
        }
        Ok(ArchiveUpdate {
            description: self
                .description
                .as_deref()
                .map(Description::parse)
                .transpose()?,
            event_pattern: self
                .event_pattern
                .as_deref()
                .map(|p| present(Some(p)).map(EventPattern::parse).transpose())
                .transpose()?,
            retention: self.retention_days.map(RetentionDays::parse).transpose()?,
            kms_key: self
                .kms_key_identifier
                .as_deref()
                .map(KmsKeyIdentifier::parse)
                .transpose()?,
        })
    }
}

/// The answer to a create or an update: the archive's ARN and state right after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveStatus {
    pub archive_arn: String,
    pub state: ArchiveState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    #[serde(with = "crate::timestamp")]
    pub creation_time: OffsetDateTime,
}

/// An archive's status, as a create answers it, read from the archive itself (a create
/// whose retry met its own first attempt's archive answers so).
impl From<Archive> for ArchiveStatus {
    fn from(archive: Archive) -> Self {
        ArchiveStatus {
            archive_arn: archive.archive_arn,
            state: archive.summary.state,
            state_reason: archive.summary.state_reason,
            creation_time: archive.summary.creation_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_is_less_protected_only_without_a_key_on_a_bus_with_one() {
        let bus = Some("alias/orders");
        assert!(less_protected_than_bus(None, bus).is_some_and(|w| w.contains("alias/orders")));
        assert!(less_protected_than_bus(Some(""), bus).is_some());
        assert_eq!(less_protected_than_bus(Some("alias/other"), bus), None);
        assert_eq!(less_protected_than_bus(None, None), None);
        assert_eq!(less_protected_than_bus(None, Some("")), None);
        // An ARN is named by its alias or its key's bare ID (the ARN is beside it).
        let by_arn = |key| less_protected_than_bus(None, Some(key)).unwrap_or_default();
        assert!(
            by_arn("arn:aws:kms:us-east-1:111122223333:alias/orders").contains(" alias/orders,")
        );
        assert!(
            by_arn("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab")
                .contains(" 1234abcd-12ab,")
        );
        assert!(!by_arn("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab").contains("key/"));
        assert_eq!(
            encryption_label(Some("alias/x")),
            "customer managed key alias/x"
        );
        assert_eq!(encryption_label(Some("")), "AWS owned key");
    }

    #[test]
    fn a_retried_create_recognises_its_own_archive() {
        let asked = CreateArchiveRequest {
            archive_name: "orders-all".into(),
            event_source_arn: "arn:aws:events:us-east-1:123456789012:event-bus/orders".into(),
            event_pattern: Some(r#"{"source": ["shop"]}"#.into()),
            retention_days: Some(7),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let found = Archive {
            summary: ArchiveSummary {
                archive_name: "orders-all".into(),
                event_source_arn: asked.event_source.as_str().into(),
                state: ArchiveState::Enabled,
                state_reason: None,
                retention_days: 7,
                size_bytes: 0,
                event_count: 0,
                creation_time: OffsetDateTime::UNIX_EPOCH,
            },
            archive_arn: "arn:aws:events:us-east-1:123456789012:archive/orders-all".into(),
            description: None,
            // Same pattern, other spacing: EventBridge may normalise it.
            event_pattern: Some(r#"{"source":["shop"]}"#.into()),
            kms_key_identifier: None,
        };
        assert!(asked.is_fulfilled_by(&found));
        let mut other = found.clone();
        other.summary.retention_days = 0;
        assert!(!asked.is_fulfilled_by(&other));
        let mut other = found.clone();
        other.event_pattern = None;
        assert!(!asked.is_fulfilled_by(&other));
        let mut other = found;
        other.description = Some("someone else's".into());
        assert!(!asked.is_fulfilled_by(&other));
    }

    fn create() -> CreateArchiveRequest {
        CreateArchiveRequest {
            archive_name: "orders-all".into(),
            event_source_arn: "arn:aws:events:us-east-1:123456789012:event-bus/orders".into(),
            ..Default::default()
        }
    }

    #[test]
    fn create_minimal_and_full() {
        let minimal = create().validate().unwrap();
        assert_eq!(minimal.name.as_str(), "orders-all");
        assert!(minimal.retention.is_none());
        let full = CreateArchiveRequest {
            description: Some("d".into()),
            event_pattern: Some(r#"{"source":["orders"]}"#.into()),
            retention_days: Some(30),
            kms_key_identifier: Some("alias/x".into()),
            ..create()
        }
        .validate()
        .unwrap();
        assert_eq!(full.retention.map(RetentionDays::days), Some(30));
    }

    #[test]
    fn create_reports_the_failing_field() {
        let cases = [
            (
                CreateArchiveRequest {
                    archive_name: "a b".into(),
                    ..create()
                },
                "archiveName",
            ),
            (
                CreateArchiveRequest {
                    event_source_arn: "nope".into(),
                    ..create()
                },
                "eventSourceArn",
            ),
            (
                CreateArchiveRequest {
                    description: Some("d".repeat(513)),
                    ..create()
                },
                "description",
            ),
            (
                CreateArchiveRequest {
                    event_pattern: Some("{".into()),
                    ..create()
                },
                "eventPattern",
            ),
            (
                CreateArchiveRequest {
                    retention_days: Some(-1),
                    ..create()
                },
                "retentionDays",
            ),
            (
                CreateArchiveRequest {
                    kms_key_identifier: Some("a b".into()),
                    ..create()
                },
                "kmsKeyIdentifier",
            ),
        ];
        for (request, field) in cases {
            assert_eq!(request.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn problems_lists_every_field_at_fault() {
        assert!(create().problems().is_empty());
        let bad = CreateArchiveRequest {
            archive_name: "a b".into(),
            event_pattern: Some("{".into()),
            retention_days: Some(-2),
            ..create()
        };
        let fields: Vec<String> = bad.problems().into_iter().map(|e| e.field.into()).collect();
        assert_eq!(fields, ["archiveName", "eventPattern", "retentionDays"]);
        assert_eq!(bad.validate().unwrap_err().field, "archiveName");
    }

    #[test]
    fn update_needs_a_field_and_keeps_clearing_values() {
        assert_eq!(
            UpdateArchiveRequest::default()
                .validate()
                .unwrap_err()
                .field,
            "body"
        );
        let clear = UpdateArchiveRequest {
            description: Some(String::new()),
            event_pattern: Some(String::new()),
            retention_days: Some(0),
            kms_key_identifier: Some(String::new()),
        }
        .validate()
        .unwrap();
        assert_eq!(clear.description.unwrap().as_str(), "");
        assert_eq!(clear.event_pattern, Some(None));
        assert_eq!(clear.retention, Some(RetentionDays::INDEFINITE));
        assert_eq!(clear.kms_key.unwrap().as_str(), "");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<CreateArchiveRequest>(
            r#"{"archiveName":"a","eventSourceArn":"x","colour":"red"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("colour"));
    }

    #[test]
    fn state_round_trips() {
        for &s in ArchiveState::ALL {
            assert_eq!(ArchiveState::parse(s.as_str()).unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(ArchiveState::parse("enabled").unwrap_err().field, "state");
    }
}
