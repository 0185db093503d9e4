//! The settings an archive can change after it is made — description, retention, event
//! pattern, KMS key — as the create form and the editor both show them.

use crate::components::field::Field;
use crate::components::json_editor::JsonEditor;
use crate::components::retention_input::RetentionInput;
use crate::components::text_input::TextInput;
use crate::form::FormFields;
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::event_bus::EventBusDetail;
use shared::validation::RetentionDays;

/// What was typed into the settings.
#[derive(Clone, Copy)]
pub struct ArchiveSettingsInput {
    pub description: RwSignal<String>,
    pub indefinite: RwSignal<bool>,
    pub days: RwSignal<String>,
    pub pattern: RwSignal<String>,
    pub kms: RwSignal<String>,
}

impl ArchiveSettingsInput {
    /// The settings of a new archive: keep indefinitely, everything else empty.
    pub fn empty() -> Self {
        Self::filled(String::new(), 0, String::new(), String::new())
    }

    /// The settings as they are (retention 0: indefinitely).
    pub fn filled(description: String, retention_days: i32, pattern: String, kms: String) -> Self {
        Self {
            description: RwSignal::new(description),
            indefinite: RwSignal::new(retention_days == 0),
            days: RwSignal::new(if retention_days == 0 {
                String::new()
            } else {
                retention_days.to_string()
            }),
            pattern: RwSignal::new(pattern),
            kms: RwSignal::new(kms),
        }
    }

    /// The retention chosen, or what is wrong with it.
    pub fn retention(&self) -> Result<RetentionDays, String> {
        if self.indefinite.get() {
            return Ok(RetentionDays::INDEFINITE);
        }
        match RetentionDays::parse_text(&self.days.get()) {
            Ok(r) if r.is_indefinite() => {
                Err("Enter a number of days, or choose to keep events indefinitely.".to_owned())
            }
            other => other.map_err(|e| e.message),
        }
    }
}

/// The four settings' fields; `editing` an archive that exists, the hints say what an
/// empty field changes.
#[component]
pub fn ArchiveSettings(
    input: ArchiveSettingsInput,
    form: FormFields,
    #[prop(optional)] editing: bool,
    /// The bus's key (`Some(None)`: an AWS owned key; None: not read yet or unreadable),
    /// to warn when the archive would be less protected than its bus.
    #[prop(optional, into)]
    bus_key: Option<Signal<Option<Option<String>>>>,
) -> impl IntoView {
    let ArchiveSettingsInput {
        description,
        indefinite,
        days,
        pattern,
        kms,
    } = input;
    let describe = form.typing(description, FieldName::Description);
    let (pattern_hint, kms_hint) = if editing {
        (
            "Leave empty to archive every event on the bus.",
            "Empty: an AWS owned key.",
        )
    } else {
        (
            "Optional. Only matching events are archived; leave empty for all.",
            "Optional: a customer managed key ID, ARN or alias. Empty uses an AWS owned key.",
        )
    };
    view! {
        <Field
            id="description"
            label="Description"
            hint="Optional, up to 512 characters."
            error=form.error(FieldName::Description)
        >
            <textarea
                id="description"
                rows="2"
                aria-describedby="description-error"
                prop:value=move || description.get()
                on:input=move |ev| describe.run(event_target_value(&ev))
            ></textarea>
        </Field>
        <RetentionInput indefinite days error=form.error(FieldName::RetentionDays) />
        <Field
            id="event-pattern"
            label="Event pattern"
            hint=pattern_hint
            error=form.error(FieldName::EventPattern)
        >
            <div on:input=move |_| form.touch(FieldName::EventPattern)>
                <JsonEditor
                    id="event-pattern"
                    value=pattern
                    placeholder="{\"source\": [\"shop.orders\"]}"
                />
            </div>
        </Field>
        <Field
            id="kms-key"
            label="KMS key"
            hint=kms_hint
            error=form.error(FieldName::KmsKeyIdentifier)
        >
            <TextInput
                id="kms-key"
                value=kms
                on_input=form.typing(kms, FieldName::KmsKeyIdentifier)
            />
            {bus_key.map(|bus_key| view! { <KeyComparison kms bus_key /> })}
        </Field>
    }
}

/// The bus `bus` (an ARN) as DescribeEventBus tells it, read whenever `bus` changes:
/// None while it is read (an answer about another bus does not count), else the bus or
/// why it could not be read. One resource type for every page that compares keys (each
/// `LocalResource` of its own closure type costs the wasm several KB).
pub fn read_bus(bus: Signal<String>) -> Signal<Option<Result<EventBusDetail, String>>> {
    let detail = LocalResource::new(move || {
        let arn = bus.get();
        async move {
            if arn.is_empty() {
                return None;
            }
            Some(
                crate::api::get_event_bus(arn)
                    .await
                    .map_err(|e| e.to_string()),
            )
        }
    });
    Signal::derive(move || {
        detail.get().flatten().filter(|read| match read {
            Ok(d) => d.arn == bus.get(),
            Err(_) => true,
        })
    })
}

/// The bus's key from [`read_bus`]: `Some(None)` an AWS owned key, None not known.
pub fn bus_key_of(
    read: Signal<Option<Result<EventBusDetail, String>>>,
) -> Signal<Option<Option<String>>> {
    Signal::derive(move || {
        read.get()
            .and_then(Result::ok)
            .map(|d| d.kms_key_identifier.filter(|k| !k.is_empty()))
    })
}

/// Under the KMS field: the bus's key, and a warning while the archive would be less
/// protected than its bus (the bus on a customer managed key, the archive not).
#[component]
fn KeyComparison(kms: RwSignal<String>, bus_key: Signal<Option<Option<String>>>) -> impl IntoView {
    let bus_note = move || {
        bus_key.get().map(|key| {
            format!(
                "Its bus: {}.",
                shared::archive::encryption_label(key.as_deref())
            )
        })
    };
    let warning = move || {
        let bus = bus_key.get()?;
        let archive = kms.get();
        shared::archive::less_protected_than_bus(Some(archive.trim()), bus.as_deref())
    };
    view! {
        <p class="hint" id="bus-key">
            {bus_note}
        </p>
        {move || {
            warning()
                .map(|w| {
                    view! {
                        <p class="banner warn" id="kms-warning" role="status">
                            {w}
                        </p>
                    }
                })
        }}
    }
}
