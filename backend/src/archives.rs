//! Archives: list, create, describe, change (telling the audit trail what changed from
//! what to what), delete — each within the caller's teams — and the archive a replay
//! reads.

use crate::audit::{FieldChange, text};
use crate::context::Ctx;
use crate::error::ApiError;
use serde_json::Value;
use shared::Field;
use shared::archive::{
    Archive, ArchiveList, ArchiveState, ArchiveStatus, ArchiveUpdate, NewArchive,
};
use shared::list::ListRequest;
use shared::replay::NewReplay;
use shared::validation::{ArchiveName, EventBusArn};

pub async fn list(
    ctx: &Ctx,
    request: ListRequest<EventBusArn, ArchiveState>,
) -> Result<ArchiveList, ApiError> {
    ctx.visible().list_archives(request).await
}

/// Creates an archive on one of the caller's buses.
pub async fn create(ctx: &Ctx, archive: NewArchive) -> Result<ArchiveStatus, ApiError> {
    ctx.visible()
        .check_bus_write(archive.event_source.as_str(), Field::EventSourceArn)?;
    Ok(ctx.eventbridge().create_archive(archive).await?)
}

pub async fn describe(ctx: &Ctx, name: &ArchiveName) -> Result<Archive, ApiError> {
    ctx.visible().archive(name).await
}

/// Changes an archive; the audit record names each field changed, from → to.
pub async fn update(
    ctx: &Ctx,
    name: &ArchiveName,
    update: ArchiveUpdate,
) -> Result<ArchiveStatus, ApiError> {
    let before = ctx.visible().archive(name).await?;
    ctx.notes.changed(changes(&before, &update));
    Ok(ctx.eventbridge().update_archive(name, update).await?)
}

pub async fn delete(ctx: &Ctx, name: &ArchiveName) -> Result<(), ApiError> {
    ctx.visible().check_archive(name).await?;
    Ok(ctx.eventbridge().delete_archive(name).await?)
}

/// The archive a replay reads, once its destination is checked against it (EventBridge
/// replays only to the archive's own bus) and that bus against the caller's teams.
pub async fn of_replay(ctx: &Ctx, replay: &NewReplay) -> Result<Archive, ApiError> {
    ctx.visible()
        .check_bus_write(replay.destination.as_str(), Field::DestinationArn)?;
    let name = ArchiveName::parse(replay.archive.archive_name())
        .map_err(|e| e.at(Field::EventSourceArn))?;
    let archive = ctx
        .visible()
        .archive(&name)
        .await
        .map_err(|e| match e.code {
            shared::ErrorCode::NotFound => e.with_field(Field::EventSourceArn),
            _ => e,
        })?;
    replay.check_destination(&archive.summary.event_source_arn)?;
    Ok(archive)
}

/// The fields `update` changes on `before`, from → to; a field asked for with the value
/// it already has is no change. Text is escaped and capped as everywhere in the trail.
fn changes(before: &Archive, update: &ArchiveUpdate) -> Vec<FieldChange> {
    let text = |t: Option<&str>| {
        t.map_or(Value::Null, |t| {
            Value::String(text::escaped(t, text::MAX_CHARS))
        })
    };
    let mut changes = Vec::new();
    let mut note = |field: Field, from: Value, to: Value| {
        if from != to {
            changes.push(FieldChange { field, from, to });
        }
    };
    if let Some(description) = &update.description {
        note(
            Field::Description,
            text(before.description.as_deref()),
            text(Some(description.as_str())),
        );
    }
    if let Some(pattern) = &update.event_pattern {
        note(
            Field::EventPattern,
            text(before.event_pattern.as_deref()),
            text(pattern.as_ref().map(|p| p.as_str())),
        );
    }
    if let Some(retention) = update.retention {
        note(
            Field::RetentionDays,
            Value::from(before.summary.retention_days),
            Value::from(retention.days()),
        );
    }
    if let Some(key) = &update.kms_key {
        note(
            Field::KmsKeyIdentifier,
            text(before.kms_key_identifier.as_deref()),
            text(Some(key.as_str())),
        );
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::archive::UpdateArchiveRequest;

    #[test]
    fn a_patch_names_what_changed_from_what_to_what() {
        let before: Archive = serde_json::from_value(json!({
            "archiveName": "orders", "eventSourceArn": "arn:aws:events:us-east-1:1:event-bus/orders",
            "state": "ENABLED", "retentionDays": 30, "sizeBytes": 0, "eventCount": 0,
            "creationTime": "2026-11-01T00:00:00Z", "archiveArn": "arn:aws:events:us-east-1:1:archive/orders",
            "description": "old", "eventPattern": "{\"source\":[\"shop\"]}",
        }))
        .expect("an archive");
        let update = UpdateArchiveRequest {
            description: Some("old".to_owned()),
            event_pattern: Some(String::new()),
            retention_days: Some(7),
            kms_key_identifier: None,
        }
        .validate()
        .expect("valid");
        assert_eq!(
            changes(&before, &update),
            [
                FieldChange {
                    field: Field::EventPattern,
                    from: json!("{\"source\":[\"shop\"]}"),
                    to: Value::Null,
                },
                FieldChange {
                    field: Field::RetentionDays,
                    from: json!(30),
                    to: json!(7),
                },
            ]
        );
        // On the wire, the field is named as the request names it.
        assert_eq!(
            serde_json::to_value(&changes(&before, &update)[0]).expect("json")["field"],
            "eventPattern"
        );
    }
}
