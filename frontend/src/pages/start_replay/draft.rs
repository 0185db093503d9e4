//! The request the form makes: a replay, or — paced — a replay job with the same fields
//! (`shared`'s `replay_request!` declares both), with every problem `shared` finds.

use super::inputs::ReplayInputs;
use crate::clock;
use crate::form::Draft;
use crate::replay_preview::ReplayTo;
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::job::{PacingRequest, StartReplayJobRequest};
use shared::replay::{ReplayDestinationRequest, StartReplayRequest};
use shared::routing::{ForwardTo, RoutingRequest};
use shared::validation::ReplayWindow;

impl ReplayInputs {
    /// The request as typed, with every problem `shared` finds (the same checks as the
    /// server's), each under its field.
    pub fn draft(&self) -> Draft<StartReplayRequest> {
        let mut errors: Vec<(FieldName, String)> = Vec::new();
        let archive = self.archive.get();
        if archive.is_none() {
            errors.push((
                FieldName::EventSourceArn,
                "Choose the archive to replay from.".into(),
            ));
        }
        let (start, end) = (self.start.get(), self.end.get());
        if start.is_none() {
            errors.push((FieldName::EventStartTime, "Enter a start time as YYYY-MM-DDTHH:MM:SS, 24-hour (for example 2026-12-06T06:35:00).".into()));
        }
        if end.is_none() {
            errors.push((FieldName::EventEndTime, "Enter an end time as YYYY-MM-DDTHH:MM:SS, 24-hour (for example 2026-12-06T07:35:00).".into()));
        }
        if let (Some(s), Some(e)) = (start, end) {
            let created = archive.as_ref().map(|a| a.summary.creation_time);
            let checked =
                ReplayWindow::parse(s, e).and_then(|w| w.check_against(clock::now(), created));
            if let Err(err) = checked {
                errors.push((err.field, err.message));
            }
        }
        let to = self.choice.to.get();
        let filters = (to == ReplayTo::SomeRules).then(|| self.choice.rules.get());
        if filters.as_ref().is_some_and(Vec::is_empty) {
            errors.push((
                FieldName::DestinationFilterArns,
                "Tick at least one rule in the preview, or replay to all rules.".into(),
            ));
        }
        let body = StartReplayRequest {
            replay_name: self.name.get().trim().to_owned(),
            description: Some(self.description.get()).filter(|d| !d.trim().is_empty()),
            event_source_arn: archive
                .as_ref()
                .map(|a| a.archive_arn.clone())
                .unwrap_or_default(),
            event_start_time: start.map(shared::timestamp::format).unwrap_or_default(),
            event_end_time: end.map(shared::timestamp::format).unwrap_or_default(),
            destination: ReplayDestinationRequest {
                arn: archive
                    .as_ref()
                    .map(|a| a.summary.event_source_arn.clone())
                    .unwrap_or_default(),
                filter_arns: filters,
            },
            routing: self.routing(to),
        };
        if archive.is_some() {
            let mut problems = body.problems();
            if self.paced.get() {
                problems.extend(job_request(&body, self.pacing()).problems());
            }
            for problem in problems {
                if !errors.iter().any(|(f, _)| *f == problem.field) {
                    errors.push((problem.field, problem.message));
                }
            }
        }
        (body, errors)
    }

    fn routing(&self, to: ReplayTo) -> Option<RoutingRequest> {
        let event_pattern = Some(self.narrowing.get()).filter(|p| !p.trim().is_empty());
        match to {
            ReplayTo::SomeTargets => Some(RoutingRequest {
                targets: self.choice.targets.get(),
                event_pattern,
                forward_to: None,
            }),
            ReplayTo::Forward => Some(RoutingRequest {
                targets: Vec::new(),
                event_pattern,
                forward_to: Some(ForwardTo {
                    event_bus_arn: self.choice.forward_bus.get().trim().to_owned(),
                    role_arn: Some(self.choice.forward_role.get().trim().to_owned())
                        .filter(|r| !r.is_empty()),
                }),
            }),
            _ => None,
        }
    }
}

/// The job a paced start creates: the replay as drafted, its name the job's.
pub fn job_request(body: &StartReplayRequest, pacing: PacingRequest) -> StartReplayJobRequest {
    StartReplayJobRequest {
        job_name: body.replay_name.clone(),
        description: body.description.clone(),
        event_source_arn: body.event_source_arn.clone(),
        event_start_time: body.event_start_time.clone(),
        event_end_time: body.event_end_time.clone(),
        destination: body.destination.clone(),
        routing: body.routing.clone(),
        pacing,
    }
}
