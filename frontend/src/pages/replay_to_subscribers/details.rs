//! What the replay is: the Custom Event Bus it reads, its name and why.

use crate::api::ApiError;
use crate::components::field::Field;
use crate::components::picker::{Options, Picker};
use crate::components::replay_naming::ReplayNaming;
use crate::form::Form;
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::v2::{StartV2ReplayRequest, V2EventBus};

#[component]
pub fn V2ReplayDetails(
    /// Every bus the caller may see, once loaded.
    buses: LocalResource<Result<Vec<V2EventBus>, ApiError>>,
    bus_name: RwSignal<String>,
    on_pick: Callback<String>,
    /// The name shown: typed, else suggested.
    name: Signal<String>,
    typed_name: RwSignal<Option<String>>,
    description: RwSignal<String>,
    form: Form<StartV2ReplayRequest>,
) -> impl IntoView {
    let options = Signal::derive(move || -> Options {
        buses.get().map(|loaded| {
            loaded.map(|list| list.into_iter().map(|b| (b.name.clone(), b.name)).collect())
        })
    });
    let none = || view! { <p class="readonly">"No Custom Event Bus yet: create one with EventBridge first."</p> };
    view! {
        <Field id="event-bus" label="Event bus" error=form.error(FieldName::EventBusArn)>
            <Picker
                id="event-bus"
                what="Custom Event Buses"
                options
                selected=bus_name
                on_pick
                prompt="Choose a Custom Event Bus…"
                empty=none
            />
        </Field>
        <ReplayNaming
            name
            typed_name
            description
            name_hint="Up to 64 letters, digits, '.', '-' or '_'. Its temporary subscribers are named after it."
            name_error=form.error(FieldName::ReplayName)
            description_error=form.error(FieldName::Description)
            on_name_edit=Callback::new(move |()| form.touch(FieldName::ReplayName))
        />
    }
}
