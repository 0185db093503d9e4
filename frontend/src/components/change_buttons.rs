//! Pause and Resume on a detail page (a replay job, a v2 replay): each shown only where
//! the state allows it, disabled — saying why — for a role that may not, and while a
//! change is on its way; what failed, in the alert banner.

use crate::api::ApiError;
use crate::components::error_banner::ErrorBanner;
use crate::current_user::refusal;
use leptos::prelude::*;
use shared::roles::Operation;
use std::future::Future;

/// The changes of one thing, and why the caller may not make them.
#[derive(Clone, Copy)]
pub struct Changes {
    /// The change asked for; its answer is dropped (the page reads the thing again).
    change: Action<Operation, Result<(), ApiError>>,
    may_not: Signal<Option<String>>,
}

/// The changes of `name`, made by `call` (`api::change_job`, `api::change_v2_replay`);
/// `guard` is the operation whose role they need; `on_changed` runs after each.
pub fn use_changes<T, Fut>(
    name: String,
    call: fn(Operation, String) -> Fut,
    guard: Operation,
    on_changed: Callback<()>,
) -> Changes
where
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let change = Action::new_local(move |op: &Operation| {
        let done = call(*op, name.clone());
        async move { done.await.map(|_| ()) }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            on_changed.run(());
        }
    });
    Changes {
        change,
        may_not: refusal(guard),
    }
}

impl Changes {
    /// The button making change `op`, labelled `label`, when `shown`.
    pub fn button(self, op: Operation, label: &'static str, shown: bool) -> impl IntoView {
        let Changes { change, may_not } = self;
        shown.then(|| {
            view! {
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        change.dispatch(op);
                    }
                    disabled=move || may_not.get().is_some() || change.pending().get()
                    title=move || may_not.get()
                >
                    {label}
                </button>
            }
        })
    }

    /// Why the last change failed, if it did.
    pub fn error(self) -> impl IntoView {
        let change = self.change;
        view! {
            <ErrorBanner message=Signal::derive(move || {
                change.value().get().and_then(Result::err).map(|e| e.message)
            }) />
        }
    }
}
