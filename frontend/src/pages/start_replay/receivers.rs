//! "Who receives it": every rule, the rules or targets ticked in the preview, or another
//! bus (admins), with the narrowing pattern of a routed or forwarded replay.

use crate::api;
use crate::components::field::Field;
use crate::components::json_editor::JsonEditor;
use crate::components::text_input::TextInput;
use crate::current_user::refusal;
use crate::form::Form;
use crate::replay_preview::{Choice, ReplayTo};
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::replay::StartReplayRequest;
use shared::roles::Operation;

const CHOICES: [(ReplayTo, &str); 4] = [
    (ReplayTo::AllRules, "Every rule on the bus that matches"),
    (ReplayTo::SomeRules, "Only the rules ticked in the preview"),
    (
        ReplayTo::SomeTargets,
        "Only the targets ticked in the preview (routed through temporary rules)",
    ),
    (
        ReplayTo::Forward,
        "Forward to another bus (admins: through a temporary rule whose target is that bus)",
    ),
];

#[component]
pub fn ReceiversChoice(
    choice: Choice,
    narrowing: RwSignal<String>,
    /// The archive's bus, which a forward cannot target.
    #[prop(into)]
    bus_arn: Signal<Option<String>>,
    form: Form<StartReplayRequest>,
) -> impl IntoView {
    let may_not_forward = refusal(Operation::OptRuleOutOfReplays);
    let buses = LocalResource::new(api::all_event_buses);
    let choice_error = move || {
        form.error(FieldName::DestinationFilterArns)
            .get()
            .or(form.error(FieldName::RoutingTargets).get())
    };
    let option = move |(to, label): (ReplayTo, &'static str)| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="replay-to"
                    prop:checked=move || choice.to.get() == to
                    disabled=move || to == ReplayTo::Forward && may_not_forward.get().is_some()
                    on:change=move |_| choice.to.set(to)
                />
                " "
                {label}
            </label>
        }
    };
    // This account's other buses, suggested for a forward.
    let other_buses = move || {
        let own = bus_arn.get().unwrap_or_default();
        buses
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b.arn != own)
            .map(|b| view! { <option value=b.arn>{b.name}</option> })
            .collect_view()
    };
    view! {
        <fieldset class="field" class:invalid=move || choice_error().is_some()>
            <legend>"Who receives it"</legend>
            {CHOICES.map(option)}
            <p class="field-error">
                {move || choice_error().or(form.error(FieldName::Routing).get())}
            </p>
            <Show when=move || choice.to.get() == ReplayTo::Forward>
                <Field
                    id="forward-bus"
                    label="Receiving bus (ARN)"
                    hint="A bus of this account (suggested as you type), or another account's with a role."
                    error=form.error(FieldName::RoutingForwardTo)
                >
                    <TextInput
                        id="forward-bus"
                        list="forward-buses"
                        value=choice.forward_bus
                        on_input=form.typing(choice.forward_bus, FieldName::RoutingForwardTo)
                    />
                    <datalist id="forward-buses">{other_buses}</datalist>
                </Field>
                <Field
                    id="forward-role"
                    label="Role for another account's bus"
                    hint="Optional for this account's buses: a role EventBridge may use to put events on that bus."
                    error=Signal::stored(None::<String>)
                >
                    <TextInput
                        id="forward-role"
                        value=choice.forward_role
                        on_input=form.typing(choice.forward_role, FieldName::RoutingForwardTo)
                    />
                </Field>
            </Show>
            <Show when=move || matches!(choice.to.get(), ReplayTo::SomeTargets | ReplayTo::Forward)>
                <Field
                    id="narrowing"
                    label="Narrowing pattern"
                    hint="Optional: only events that also match it, key by key with each ticked rule's pattern."
                    error=form.error(FieldName::RoutingEventPattern)
                >
                    <div on:input=move |_| form.touch(FieldName::RoutingEventPattern)>
                        <JsonEditor
                            id="narrowing"
                            value=narrowing
                            placeholder="{\"detail\": {\"country\": [\"NL\"]}}"
                        />
                    </div>
                </Field>
            </Show>
        </fieldset>
    }
}
