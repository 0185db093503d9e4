//! The replay preview as the Start replay page keeps it: asked for again when the
//! form's draft changes who would receive the replay (archive, window, rule choice) —
//! after a pause in typing, one request at a time, and only the answer to the latest
//! question is shown.

use crate::api::{self, ApiError};
use crate::form::Draft;
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::preview::ReplayPreview;
use shared::replay::StartReplayRequest;
use shared::routing::RoutedTarget;
use std::time::Duration;

/// How long the inputs must rest before the preview is asked for.
const SETTLE: Duration = Duration::from_millis(350);

/// The replay name asked about until a valid one is typed: only a pattern that tests
/// `replay-name` cares about it.
const STAND_IN_NAME: &str = "rewind-preview";

/// Who a replay is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayTo {
    AllRules,
    SomeRules,
    SomeTargets,
    /// To another bus, through a temporary rule (admins).
    Forward,
}

/// The form's choice of receivers, ticked in the preview table.
#[derive(Clone, Copy)]
pub struct Choice {
    pub to: RwSignal<ReplayTo>,
    /// Rule ARNs (`destination.filterArns`).
    pub rules: RwSignal<Vec<String>>,
    /// Targets (`routing.targets`).
    pub targets: RwSignal<Vec<RoutedTarget>>,
    /// The receiving bus's ARN and, for another account's bus, the role
    /// (`routing.forwardTo`).
    pub forward_bus: RwSignal<String>,
    pub forward_role: RwSignal<String>,
}

/// The latest preview and whether a newer one is on its way.
#[derive(Clone, Copy)]
pub struct PreviewState {
    /// Why no preview can be asked for yet (the draft's first problem).
    pub waiting: RwSignal<Option<String>>,
    pub answer: RwSignal<Option<Result<ReplayPreview, ApiError>>>,
    /// A request is waiting or in flight.
    pub loading: RwSignal<bool>,
    queue: StoredValue<Queue>,
}

/// The questions: the last one asked (answers to older ones are dropped), the next one
/// to send, whether one is in flight, and the pause before asking.
#[derive(Default)]
struct Queue {
    number: u64,
    asked: Option<StartReplayRequest>,
    next: Option<(u64, StartReplayRequest)>,
    in_flight: bool,
    timer: Option<TimeoutHandle>,
}

impl PreviewState {
    /// Asks again (after an opt-out changed a rule).
    pub fn refresh(self) {
        if let Some(request) = self.queue.with_value(|q| q.asked.clone()) {
            self.ask(request);
        }
    }

    fn ask(self, request: StartReplayRequest) {
        self.loading.set(true);
        let start_loop = self.queue.try_update_value(|q| {
            q.number += 1;
            q.asked = Some(request.clone());
            q.next = Some((q.number, request));
            !std::mem::replace(&mut q.in_flight, true)
        });
        if start_loop != Some(true) {
            return; // The running loop picks it up.
        }
        leptos::task::spawn_local(async move {
            while let Some((number, request)) =
                self.queue.try_update_value(|q| q.next.take()).flatten()
            {
                let answer = api::preview_replay(request).await;
                if self.queue.try_with_value(|q| q.number) == Some(number) {
                    self.answer.try_set(Some(answer));
                    self.loading.try_set(false);
                }
            }
            self.queue.try_update_value(|q| q.in_flight = false);
        });
    }

    fn stop_timer(self) {
        if let Some(handle) = self.queue.try_update_value(|q| q.timer.take()).flatten() {
            handle.clear();
        }
    }
}

/// The preview of the Start replay form's `draft`, asked for once it has rested for
/// [`SETTLE`] and only when it changes who receives the replay.
pub fn use_replay_preview(draft: Memo<Draft<StartReplayRequest>>) -> PreviewState {
    let state = PreviewState {
        waiting: RwSignal::new(None),
        answer: RwSignal::new(None),
        loading: RwSignal::new(false),
        queue: StoredValue::new(Queue::default()),
    };
    Effect::new(move |_| {
        let (mut request, problems) = draft.get();
        // Nothing ticked yet: the preview shows every rule, to tick from.
        if request
            .destination
            .filter_arns
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            request.destination.filter_arns = None;
        }
        if request
            .routing
            .as_ref()
            .is_some_and(|r| r.targets.is_empty() && r.forward_to.is_none())
        {
            request.routing = None;
        }
        // The name and description do not change who receives it.
        let blocking = problems.iter().find(|(field, _)| {
            !matches!(
                field,
                FieldName::ReplayName
                    | FieldName::Description
                    | FieldName::DestinationFilterArns
                    | FieldName::RoutingTargets
            )
        });
        if let Some((_, why)) = blocking {
            // Forget the question: an answer still on its way is dropped.
            state.stop_timer();
            state.queue.update_value(|q| {
                q.number += 1;
                q.asked = None;
            });
            state.waiting.set(Some(why.clone()));
            state.answer.set(None);
            state.loading.set(false);
            return;
        }
        if problems
            .iter()
            .any(|(field, _)| *field == FieldName::ReplayName)
        {
            STAND_IN_NAME.clone_into(&mut request.replay_name);
        }
        request.description = None;
        if state
            .queue
            .with_value(|q| q.asked.as_ref() == Some(&request))
        {
            return;
        }
        state.stop_timer();
        state.waiting.set(None);
        state.loading.set(true);
        let handle = set_timeout_with_handle(move || state.ask(request), SETTLE).ok();
        state.queue.update_value(|q| q.timer = handle);
    });
    on_cleanup(move || state.stop_timer());
    state
}
