//! What the replay is: its archive (and so its destination, the archive's bus), its
//! name and why.

use crate::components::archive_picker::ArchivePicker;
use crate::components::field::Field;
use crate::components::replay_naming::ReplayNaming;
use crate::form::Form;
use crate::format;
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::replay::StartReplayRequest;

#[component]
pub fn ReplayDetails(
    archive_name: RwSignal<String>,
    on_pick: Callback<String>,
    bus_arn: Signal<Option<String>>,
    /// The name shown: typed, else suggested.
    name: Signal<String>,
    typed_name: RwSignal<Option<String>>,
    description: RwSignal<String>,
    form: Form<StartReplayRequest>,
) -> impl IntoView {
    let name_error = Signal::derive(move || {
        form.error(FieldName::ReplayName)
            .get()
            .or(form.error(FieldName::JobName).get())
    });
    let destination = move || {
        bus_arn
            .get()
            .map(|b| format!("{} ({b})", format::arn_name(&b)))
            .unwrap_or_else(|| "The archive's event bus".into())
    };
    view! {
        <Field id="archive" label="Archive" error=form.error(FieldName::EventSourceArn)>
            <ArchivePicker id="archive" selected=archive_name on_pick />
        </Field>
        <div class="field">
            <span class="label">"Destination"</span>
            <p class="readonly">{destination}</p>
            <p class="hint">
                "Replayed events carry a replay-name field and are never archived again."
            </p>
        </div>
        <ReplayNaming
            name
            typed_name
            description
            name_hint="Up to 64 letters, digits, '.', '-' or '_' (43 for a paced replay: its slices add a random key and -001, -002, …)."
            name_error
            description_error=form.error(FieldName::Description)
            on_name_edit=Callback::new(move |()| {
                form.touch(FieldName::ReplayName);
                form.touch(FieldName::JobName);
            })
        />
    }
}
