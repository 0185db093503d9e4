//! The scheduled sweep's part for the Custom Event Bus: this deployment's temporary
//! subscribers of v2 replays that failed, or completed and made over an hour ago (the
//! hour lets its page and report be read), removed — each removal audited as Rewind's
//! own housekeeping, intent first. A paused replay is kept: its work has not ended.

use super::replays::{FoundCopy, assemble, groups};
use crate::context::Ctx;
use crate::error::ApiError;
use shared::v2::V2ReplayState;
use time::{Duration, OffsetDateTime};

/// How long a completed replay's copies are kept.
pub const COMPLETED_KEPT: Duration = Duration::hours(1);
/// How long a replay short of copies may still be starting (its copies being made).
pub const STARTING_GRACE: Duration = Duration::minutes(5);

/// Removes what is over: the ARNs of the temporary subscribers removed, and how many
/// could not be (the next sweep tries again).
pub async fn sweep(ctx: &Ctx, now: OffsetDateTime) -> (Vec<String>, usize) {
    if !ctx.aws.eventbridge_v2.is_configured() {
        return (Vec::new(), 0);
    }
    // Every group of this deployment, each on its own: two replays that share a name
    // (two starts that raced) are never swept as one.
    let found = match groups(ctx, None, true).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "v2 sweep: the temporary subscribers could not be listed");
            return (Vec::new(), 1);
        }
    };
    let (mut removed, mut failed) = (Vec::new(), 0);
    for ((name, _), copies) in &found {
        let Some(reason) = over(name, copies, now) else {
            continue;
        };
        for copy in copies {
            let deletion = async {
                match ctx.aws.eventbridge_v2.delete_subscriber(&copy.arn).await {
                    Ok(()) => Ok(()),
                    Err(e) if e.is_not_found() => Ok(()),
                    Err(e) => Err(ApiError::from(e)),
                }
            };
            let outcome = crate::audit::housekeeping(&ctx.audit, &copy.arn, reason, deletion).await;
            if matches!(outcome, Some(Ok(()))) {
                tracing::info!(replay = %name, subscriber = %copy.arn, "v2 sweep: temporary subscriber removed");
                removed.push(copy.arn.clone());
            } else {
                failed += 1;
            }
        }
    }
    (removed, failed)
}

/// Why replay `name`'s copies go now, if they do.
fn over(name: &str, copies: &[FoundCopy], now: OffsetDateTime) -> Option<&'static str> {
    let replay = assemble(name, copies)?;
    match replay.state {
        V2ReplayState::Failed if now - replay.created_at < STARTING_GRACE => None,
        V2ReplayState::Failed => Some("v2 replay failed"),
        V2ReplayState::Completed => {
            let last = copies.iter().filter_map(|c| c.subscriber.created()).max()?;
            (now - last >= COMPLETED_KEPT).then_some("v2 replay completed")
        }
        _ => None,
    }
}
