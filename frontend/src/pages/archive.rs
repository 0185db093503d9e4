//! One archive: every DescribeArchive field, editing, deletion, and a way to replay it.

use crate::api;
use crate::components::archive_settings::{
    ArchiveSettings, ArchiveSettingsInput, bus_key_of, read_bus,
};
use crate::components::danger_zone::DangerZone;
use crate::components::destructive_button::{Destructive, DestructiveButton};
use crate::components::detail_page::{DetailPage, Subject};
use crate::components::error_banner::ErrorBanner;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::state_badge::{StateBadge, archive_tone};
use crate::components::submit_row::SubmitRow;
use crate::current_user::refusal;
use crate::form::{FormSpec, use_form};
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::Field as FieldName;
use shared::archive::{Archive, UpdateArchiveRequest};
use shared::list::ListQuery;
use shared::roles::Operation;
use shared::validation::{Description, EventPattern, KmsKeyIdentifier};

impl Subject for Archive {
    const WHAT: &'static str = "archive";
    const LIST: &'static str = "/archives";
    const GONE: &'static str = " It may have been deleted.";
    const ABOUT: &'static str = "An archive keeps a copy of each event its bus receives that matches its pattern, for as long as its retention says. An operator replays a time window of them (to the bus's rules, only some of them, chosen targets, or another bus) or peeks into them where no rule sees them; an admin changes what the archive keeps or deletes it.";
}

#[component]
pub fn ArchivePage() -> impl IntoView {
    let detail = |archive, on_saved| view! { <ArchiveDetail archive on_saved /> }.into_any();
    view! { <DetailPage fetch=api::get_archive detail /> }
}

#[component]
fn ArchiveDetail(archive: Archive, on_saved: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let may_not_edit = refusal(Operation::UpdateArchive);
    let name = archive.summary.archive_name.clone();
    let replays_link = links::replays(&ListQuery {
        event_source_arn: Some(archive.archive_arn.clone()),
        ..Default::default()
    });
    let s = archive.summary.clone();
    let pattern = archive.event_pattern.clone();
    let pretty_pattern = pattern.as_deref().map(|p| {
        EventPattern::parse(p)
            .map(|p| p.pretty())
            .unwrap_or_else(|_| p.to_owned())
    });

    let deletion = Destructive {
        action: Operation::DeleteArchive,
        label: "Delete archive",
        title: format!("Delete archive {name}?"),
        consequence: "Its events are deleted with it and can never be replayed again. Replays already started are not affected.",
    };
    let navigate = use_navigate();
    let deleted = Callback::new(move |_| navigate("/archives", NavigateOptions::default()));
    let edit_copy = StoredValue::new(archive.clone());

    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <StateBadge label=s.state.as_str() tone=archive_tone(s.state) />
            <div class="actions">
                <GuardedLink
                    action=Operation::StartReplay
                    href=links::start_replay(Some(&name))
                    label="Start replay"
                />
                <GuardedLink
                    action=Operation::StartPeek
                    href=links::peek(&name)
                    label="Peek"
                    class="secondary"
                />
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| editing.update(|e| *e = !*e)
                    aria-expanded=move || editing.get().to_string()
                    disabled=move || may_not_edit.get().is_some()
                    title=move || may_not_edit.get()
                >
                    "Edit"
                </button>
            </div>
        </div>
        <RoleNote action=Operation::DeleteArchive />
        {s.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <Show when=move || editing.get()>
            <EditArchive
                archive=edit_copy.get_value()
                on_done=Callback::new(move |saved: bool| {
                    editing.set(false);
                    if saved {
                        on_saved.run(())
                    }
                })
            />
        </Show>
        <dl class="details">
            <dt>"ARN"</dt>
            <dd>
                <code>{archive.archive_arn.clone()}</code>
            </dd>
            <dt>"Event bus"</dt>
            <dd title=s
                .event_source_arn
                .clone()>
                {format::arn_name(&s.event_source_arn).to_owned()} " "
                <code class="muted">{s.event_source_arn.clone()}</code>
            </dd>
            <dt>"Description"</dt>
            <dd>{archive.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Retention"</dt>
            <dd>{format::retention(s.retention_days)}</dd>
            <dt>"Events"</dt>
            <dd>{format::count(s.event_count)}</dd>
            <dt>"Size"</dt>
            <dd>{format::bytes(s.size_bytes)}</dd>
            <dd class="note wide">
                "Events reach an archive minutes after they are sent; EventBridge reconciles counts and sizes over up to 24 hours."
            </dd>
            <dt>"Created"</dt>
            <dd>{format::datetime(s.creation_time, Zone::Utc)}</dd>
            <dt>"Encryption"</dt>
            <dd id="encryption">
                <ArchiveEncryption
                    archive_key=archive.kms_key_identifier.clone()
                    bus=s.event_source_arn.clone()
                />
            </dd>
            <dt>"Event pattern"</dt>
            <dd>
                {match pretty_pattern {
                    Some(p) => view! { <pre class="pattern">{p}</pre> }.into_any(),
                    None => {
                        view! { <span>"None: every event on the bus is archived."</span> }
                            .into_any()
                    }
                }}
            </dd>
        </dl>
        <p>
            <a href=replays_link>"Replays from this archive"</a>
        </p>
        <DangerZone>
            <DestructiveButton name=name.clone() how=deletion on_done=deleted />
        </DangerZone>
    }
}

/// What the edit form would send: only what changed, with every problem.
fn update_request(
    archive: &Archive,
    input: &ArchiveSettingsInput,
) -> (UpdateArchiveRequest, Vec<(FieldName, String)>) {
    let mut errors = Vec::new();
    let mut request = UpdateArchiveRequest::default();
    let description = input.description.get();
    if description != archive.description.clone().unwrap_or_default() {
        if let Err(e) = Description::parse(&description) {
            errors.push((FieldName::Description, e.message));
        }
        request.description = Some(description);
    }
    match input.retention() {
        Ok(r) if r.days() != archive.summary.retention_days => {
            request.retention_days = Some(i64::from(r.days()))
        }
        Ok(_) => {}
        Err(m) => errors.push((FieldName::RetentionDays, m)),
    }
    let pattern = input.pattern.get();
    let current_pattern = archive.event_pattern.clone().unwrap_or_default();
    let same_pattern = match (
        serde_json::from_str::<serde_json::Value>(&pattern),
        serde_json::from_str::<serde_json::Value>(&current_pattern),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => pattern.trim() == current_pattern.trim(),
    };
    if !same_pattern {
        if !pattern.trim().is_empty()
            && let Err(e) = EventPattern::parse(&pattern)
        {
            errors.push((FieldName::EventPattern, e.message));
        }
        request.event_pattern = Some(pattern.trim().to_owned());
    }
    let kms = input.kms.get();
    if kms.trim() != archive.kms_key_identifier.clone().unwrap_or_default() {
        if let Err(e) = KmsKeyIdentifier::parse(kms.trim()) {
            errors.push((FieldName::KmsKeyIdentifier, e.message));
        }
        request.kms_key_identifier = Some(kms.trim().to_owned());
    }
    (request, errors)
}

/// The fields the editor shows, by their wire names.
const EDIT_FIELDS: [FieldName; 4] = [
    FieldName::Description,
    FieldName::RetentionDays,
    FieldName::EventPattern,
    FieldName::KmsKeyIdentifier,
];

#[component]
fn EditArchive(archive: Archive, on_done: Callback<bool>) -> impl IntoView {
    let pattern = archive
        .event_pattern
        .as_deref()
        .map(|p| {
            EventPattern::parse(p)
                .map(|p| p.pretty())
                .unwrap_or_else(|_| p.to_owned())
        })
        .unwrap_or_default();
    let input = ArchiveSettingsInput::filled(
        archive.description.clone().unwrap_or_default(),
        archive.summary.retention_days,
        pattern,
        archive.kms_key_identifier.clone().unwrap_or_default(),
    );
    let name = archive.summary.archive_name.clone();
    let bus = archive.summary.event_source_arn.clone();
    let bus_key = bus_key_of(read_bus(Signal::stored(bus)));

    let form = use_form(FormSpec {
        fields: &EDIT_FIELDS,
        operation: Operation::UpdateArchive,
        lead: "To save",
        draft: move || {
            let (request, mut problems) = update_request(&archive, &input);
            // Nothing to send: the request as a whole is not ready (no field is at fault).
            if problems.is_empty() && request == UpdateArchiveRequest::default() {
                problems.push((FieldName::Body, "nothing has changed yet.".to_owned()));
            }
            (request, problems)
        },
        send: move |request| api::update_archive(name.clone(), request),
        done: move |_: &UpdateArchiveRequest, _: &_| on_done.run(true),
    });
    // The form starts filled in with the archive's values: their problems show at once.
    form.touch_all();
    view! {
        <form class="card edit" on:submit=form.on_submit()>
            <h2>"Edit archive"</h2>
            <ErrorBanner message=form.banner() />
            <ArchiveSettings input form=form.fields() editing=true bus_key />
            <SubmitRow
                blocked=form.blocked()
                pending=form.pending()
                label="Save changes"
                busy="Saving…"
            >
                <button type="button" class="secondary" on:click=move |_| on_done.run(false)>
                    "Cancel"
                </button>
            </SubmitRow>
        </form>
    }
}

/// The archive's key beside its bus's (read from the bus), and the warning when the
/// archive is less protected than its bus.
#[component]
fn ArchiveEncryption(archive_key: Option<String>, bus: String) -> impl IntoView {
    let bus_detail = read_bus(Signal::stored(bus));
    let archive_label = shared::archive::encryption_label(archive_key.as_deref());
    // One text and one optional warning, computed from the read (no suspense: the text
    // says "reading…" meanwhile).
    let bus_text = move || match bus_detail.get() {
        None => " · its bus: reading…".to_owned(),
        Some(Ok(bus)) => format!(
            " · its bus: {}",
            shared::archive::encryption_label(bus.kms_key_identifier.as_deref())
        ),
        Some(Err(why)) => format!(" · its bus's key could not be read: {why}"),
    };
    let warning = move || {
        let bus = bus_detail.get()?.ok()?;
        shared::archive::less_protected_than_bus(
            archive_key.as_deref(),
            bus.kms_key_identifier.as_deref(),
        )
    };
    view! {
        {archive_label}
        <span>{bus_text}</span>
        {move || {
            warning()
                .map(|w| {
                    view! {
                        <p class="banner warn" id="kms-warning" role="status">
                            {w}
                            " Edit the archive to set its KMS key."
                        </p>
                    }
                })
        }}
    }
}
