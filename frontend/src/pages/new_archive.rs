//! Create archive: every field checked on each keystroke by the same `shared` parsers
//! the backend uses; server errors land on the field they name; values are kept.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::guarded::team_note;
use crate::components::json_editor::JsonEditor;
use crate::components::loading::Loading;
use crate::components::retention_input::RetentionInput;
use crate::form::{FormSpec, use_form};
use crate::links;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::Field as FieldName;
use shared::archive::CreateArchiveRequest;
use shared::roles::Operation;
use shared::validation::RetentionDays;

/// The fields this form shows, by their wire names.
const FORM_FIELDS: [FieldName; 6] = [
    FieldName::ArchiveName,
    FieldName::EventSourceArn,
    FieldName::Description,
    FieldName::RetentionDays,
    FieldName::EventPattern,
    FieldName::KmsKeyIdentifier,
];

#[component]
pub fn NewArchivePage() -> impl IntoView {
    let buses = LocalResource::new(api::all_event_buses);
    // The bus picked, else the first one listed.
    let picked_bus = RwSignal::new(None::<String>);
    let bus = Signal::derive(move || {
        picked_bus.get().unwrap_or_else(|| {
            buses
                .get()
                .and_then(Result::ok)
                .and_then(|list| list.first().map(|b| b.arn.clone()))
                .unwrap_or_default()
        })
    });
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let indefinite = RwSignal::new(true);
    let days = RwSignal::new(String::new());
    let pattern = RwSignal::new(String::new());
    let kms = RwSignal::new(String::new());

    let navigate = use_navigate();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::CreateArchive,
        lead: "To create it",
        draft: move || {
            let retention = if indefinite.get() {
                Ok(None)
            } else {
                match RetentionDays::parse_text(&days.get()) {
                    Ok(r) if r.is_indefinite() => Err(
                        "Enter a number of days, or choose to keep events indefinitely.".to_owned(),
                    ),
                    Ok(r) => Ok(Some(i64::from(r.days()))),
                    Err(e) => Err(e.message),
                }
            };
            let body = CreateArchiveRequest {
                archive_name: name.get().trim().to_owned(),
                event_source_arn: bus.get(),
                description: Some(description.get()).filter(|d| !d.is_empty()),
                event_pattern: Some(pattern.get()).filter(|p| !p.trim().is_empty()),
                retention_days: retention.clone().ok().flatten(),
                kms_key_identifier: Some(kms.get().trim().to_owned()).filter(|k| !k.is_empty()),
            };
            let mut errors: Vec<(FieldName, String)> = Vec::new();
            if let Err(m) = retention {
                errors.push((FieldName::RetentionDays, m));
            }
            errors.extend(body.problems().into_iter().map(|e| (e.field, e.message)));
            (body, errors)
        },
        send: api::create_archive,
        done: move |body: &CreateArchiveRequest, _: &_| {
            navigate(
                &links::archive(&body.archive_name),
                NavigateOptions::default(),
            );
        },
    });
    let touch = move |field: FieldName| form.touch(field);
    let error_for = move |field: FieldName| form.error(field);
    let blocked = form.blocked();
    let pending = form.pending();

    view! {
        <h1>"Create archive"</h1>
        <form class="card" on:submit=form.on_submit() novalidate>
            <ErrorBanner message=form.banner() />
            <Field
                id="event-bus"
                label="Event bus"
                hint="The bus whose events are archived. It cannot be changed later."
                error=error_for(FieldName::EventSourceArn)
            >
                <Transition fallback=|| {
                    view! { <Loading what="event buses" /> }
                }>
                    {move || {
                        buses
                            .get()
                            .map(|result| match result {
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <p class="hint" id="event-bus">
                                            "There is no event bus you may use: "
                                            {team_note()}
                                        </p>
                                    }
                                        .into_any()
                                }
                                Ok(list) => {
                                    view! {
                                        <select
                                            id="event-bus"
                                            prop:value=move || bus.get()
                                            on:change=move |ev| {
                                                picked_bus.set(Some(event_target_value(&ev)));
                                                touch(FieldName::EventSourceArn);
                                            }
                                        >
                                            {list
                                                .into_iter()
                                                .map(|b| {
                                                    let arn = b.arn.clone();
                                                    view! {
                                                        <option value=b.arn selected=move || bus.get() == arn>
                                                            {b.name}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! {
                                        <ErrorBanner message=Some(
                                            format!("Event buses could not be loaded: {}", e.message),
                                        ) />
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </Field>
            <Field
                id="archive-name"
                label="Name"
                hint="Up to 48 letters, digits, '.', '-' or '_'. It cannot be changed later."
                error=error_for(FieldName::ArchiveName)
            >
                <input
                    id="archive-name"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="archive-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| {
                        name.set(event_target_value(&ev));
                        touch(FieldName::ArchiveName);
                    }
                />
            </Field>
            <Field
                id="description"
                label="Description"
                hint="Optional, up to 512 characters."
                error=error_for(FieldName::Description)
            >
                <textarea
                    id="description"
                    rows="2"
                    aria-describedby="description-error"
                    prop:value=move || description.get()
                    on:input=move |ev| {
                        description.set(event_target_value(&ev));
                        touch(FieldName::Description);
                    }
                ></textarea>
            </Field>
            <RetentionInput indefinite days error=error_for(FieldName::RetentionDays) />
            <Field
                id="event-pattern"
                label="Event pattern"
                hint="Optional. Only matching events are archived; leave empty for all."
                error=error_for(FieldName::EventPattern)
            >
                <div on:input=move |_| touch(FieldName::EventPattern)>
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
                hint="Optional: a customer managed key ID, ARN or alias. Empty uses an AWS owned key."
                error=error_for(FieldName::KmsKeyIdentifier)
            >
                <input
                    id="kms-key"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || kms.get()
                    on:input=move |ev| {
                        kms.set(event_target_value(&ev));
                        touch(FieldName::KmsKeyIdentifier);
                    }
                />
            </Field>
            <div class="actions">
                <button type="submit" disabled=move || blocked.get().is_some() || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create archive" }}
                </button>
                <a class="button secondary" href="/archives">
                    "Cancel"
                </a>
                <span class="why" aria-live="polite">
                    {blocked}
                </span>
            </div>
        </form>
    }
}
