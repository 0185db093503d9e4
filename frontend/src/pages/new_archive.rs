//! Create archive: every field checked on each keystroke by the same `shared` parsers
//! the backend uses; server errors land on the field they name; values are kept.

use crate::api;
use crate::components::archive_settings::{
    ArchiveSettings, ArchiveSettingsInput, bus_key_of, read_bus,
};
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::guarded::team_note;
use crate::components::picker::Picker;
use crate::components::submit_row::SubmitRow;
use crate::components::text_input::TextInput;
use crate::form::{FormSpec, use_form};
use crate::links;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::Field as FieldName;
use shared::archive::CreateArchiveRequest;
use shared::roles::Operation;

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
    let bus_options = Signal::derive(move || {
        buses
            .get()
            .map(|loaded| loaded.map(|list| list.into_iter().map(|b| (b.arn, b.name)).collect()))
    });
    let name = RwSignal::new(String::new());
    let settings = ArchiveSettingsInput::empty();
    let (bus_key, bus_key_unreadable) = preselect_bus_key(bus, settings.kms);

    let navigate = use_navigate();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::CreateArchive,
        lead: "To create it",
        draft: move || {
            let retention = settings
                .retention()
                .map(|r| Some(i64::from(r.days())).filter(|_| !r.is_indefinite()));
            let body = CreateArchiveRequest {
                archive_name: name.get().trim().to_owned(),
                event_source_arn: bus.get(),
                description: Some(settings.description.get()).filter(|d| !d.is_empty()),
                event_pattern: Some(settings.pattern.get()).filter(|p| !p.trim().is_empty()),
                retention_days: retention.clone().ok().flatten(),
                kms_key_identifier: Some(settings.kms.get().trim().to_owned())
                    .filter(|k| !k.is_empty()),
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
                <Picker
                    id="event-bus"
                    what="event buses"
                    options=bus_options
                    selected=bus
                    on_pick=Callback::new(move |picked| {
                        picked_bus.set(Some(picked));
                        touch(FieldName::EventSourceArn);
                    })
                    empty=|| {
                        view! {
                            <p class="hint" id="event-bus">
                                "There is no event bus you may use: "
                                {team_note()}
                            </p>
                        }
                    }
                />
            </Field>
            <Field
                id="archive-name"
                label="Name"
                hint="Up to 48 letters, digits, '.', '-' or '_'. It cannot be changed later."
                error=error_for(FieldName::ArchiveName)
            >
                <TextInput
                    id="archive-name"
                    value=name
                    on_input=form.typing(name, FieldName::ArchiveName)
                />
            </Field>
            <ArchiveSettings input=settings form=form.fields() bus_key />
            {move || {
                bus_key_unreadable
                    .get()
                    .map(|why| {
                        view! {
                            <p class="hint" id="bus-key-unreadable">
                                "The bus's key could not be read ("
                                {why}
                                "): check its encryption before leaving the KMS key empty."
                            </p>
                        }
                    })
            }}
            <SubmitRow
                blocked=form.blocked()
                pending=form.pending()
                label="Create archive"
                busy="Creating…"
            >
                <a class="button secondary" href="/archives">
                    "Cancel"
                </a>
            </SubmitRow>
        </form>
    }
}

/// The chosen bus's key (`Some(None)`: an AWS owned key), put into the KMS field while
/// that field is empty or holds the previous bus's key: an archive is as protected as its
/// bus unless someone types otherwise. While the new bus is read, or when it cannot be,
/// the previous bus's key leaves the field at once; the second signal says why the key
/// is unknown.
fn preselect_bus_key(
    bus: Signal<String>,
    kms: RwSignal<String>,
) -> (Signal<Option<Option<String>>>, Signal<Option<String>>) {
    let read = read_bus(bus);
    let bus_key = bus_key_of(read);
    let unreadable = Signal::derive(move || read.get().and_then(Result::err));
    let preselected = StoredValue::new(String::new());
    Effect::new(move |_| {
        let key = bus_key.get().flatten().unwrap_or_default();
        let typed = kms.get_untracked();
        if typed.trim().is_empty() || typed == preselected.get_value() {
            preselected.set_value(key.clone());
            kms.set(key);
        }
    });
    (bus_key, unreadable)
}
