//! A replay's name and description: the two fields both start forms ask first.

use crate::components::field::Field;
use crate::components::text_input::TextInput;
use leptos::prelude::*;

/// The name (typed, else suggested) and the optional description of a replay.
#[component]
pub fn ReplayNaming(
    /// The name shown: typed, else suggested.
    name: Signal<String>,
    typed_name: RwSignal<Option<String>>,
    description: RwSignal<String>,
    /// What a name may be, in this form's terms.
    name_hint: &'static str,
    name_error: Signal<Option<String>>,
    description_error: Signal<Option<String>>,
    /// Marks the name's fields touched, so their problems show.
    on_name_edit: Callback<()>,
) -> impl IntoView {
    view! {
        <Field id="replay-name" label="Name" hint=name_hint error=name_error>
            <TextInput
                id="replay-name"
                value=name
                on_input=Callback::new(move |text| {
                    typed_name.set(Some(text));
                    on_name_edit.run(());
                })
            />
        </Field>
        <Field
            id="description"
            label="Description"
            hint="Optional: why this replay, for whoever looks later."
            error=description_error
        >
            <textarea
                id="description"
                rows="2"
                prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))
            ></textarea>
        </Field>
    }
}
