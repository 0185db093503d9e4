//! One archive: every DescribeArchive field, editing, deletion, and a way to replay it.

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::json_editor::JsonEditor;
use crate::components::loading::Loading;
use crate::components::retention_input::RetentionInput;
use crate::components::state_badge::{StateBadge, archive_tone};
use crate::current_user::refusal;
use crate::form::{FormSpec, use_form};
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::Field as FieldName;
use shared::archive::{Archive, UpdateArchiveRequest};
use shared::list::ListQuery;
use shared::roles::Operation;
use shared::validation::{Description, EventPattern, KmsKeyIdentifier, RetentionDays};

#[component]
pub fn ArchivePage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.get().get("name").unwrap_or_default());
    let archive = LocalResource::new(move || api::get_archive(name.get()));
    view! {
        <Transition fallback=|| {
            view! { <Loading what="the archive" /> }
        }>
            {move || {
                archive
                    .get()
                    .map(|result| match result {
                        Ok(a) => {
                            view! {
                                <ArchiveDetail
                                    archive=a
                                    on_saved=Callback::new(move |_| archive.refetch())
                                />
                            }
                                .into_any()
                        }
                        Err(e) if e.is_not_found() => {
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(
                                    format!(
                                        "There is no archive named {}. It may have been deleted.",
                                        name.get(),
                                    ),
                                ) />
                                <a href="/archives">"Back to archives"</a>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(e.message) />
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn ArchiveDetail(archive: Archive, on_saved: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let may_not_edit = refusal(Operation::UpdateArchive);
    let may_not_delete = refusal(Operation::DeleteArchive);
    let deleting = RwSignal::new(false);
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

    let navigate = use_navigate();
    let delete_action = Action::new_local(move |name: &String| {
        let (name, navigate) = (name.clone(), navigate.clone());
        async move {
            let deleted = api::delete_archive(name).await;
            if deleted.is_ok() {
                navigate("/archives", NavigateOptions::default());
            }
            deleted
        }
    });
    let delete_error = Signal::derive(move || {
        delete_action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message)
    });
    let name_for_delete = name.clone();
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
                <button
                    type="button"
                    class="danger"
                    on:click=move |_| deleting.set(true)
                    disabled=move || may_not_delete.get().is_some()
                    title=move || may_not_delete.get()
                >
                    "Delete archive"
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
            <dd>
                {archive
                    .kms_key_identifier
                    .clone()
                    .map(|k| format!("KMS key {k}"))
                    .unwrap_or_else(|| "AWS owned key".to_owned())}
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
        <Show when=move || deleting.get()>
            <ConfirmDialog
                title=format!("Delete archive {}?", name_for_delete)
                name=name_for_delete.clone()
                consequence="Its events are deleted with it and can never be replayed again. Replays already started are not affected."
                confirm_label="Delete archive"
                pending=delete_action.pending()
                error=delete_error
                on_confirm=Callback::new({
                    let n = name_for_delete.clone();
                    move |_| {
                        delete_action.dispatch(n.clone());
                    }
                })
                on_cancel=Callback::new(move |_| deleting.set(false))
            />
        </Show>
    }
}

/// What the edit form would send, with the first problem if any.
fn update_request(
    archive: &Archive,
    description: &str,
    indefinite: bool,
    days: &str,
    pattern: &str,
    kms: &str,
) -> (UpdateArchiveRequest, Vec<(FieldName, String)>) {
    let mut errors = Vec::new();
    let mut request = UpdateArchiveRequest::default();
    let current_description = archive.description.clone().unwrap_or_default();
    if description != current_description {
        if let Err(e) = Description::parse(description) {
            errors.push((FieldName::Description, e.message));
        }
        request.description = Some(description.to_owned());
    }
    let retention = if indefinite {
        Ok(RetentionDays::INDEFINITE)
    } else {
        match RetentionDays::parse_text(days) {
            Ok(r) if r.is_indefinite() => {
                Err("Enter a number of days, or choose to keep events indefinitely.".to_owned())
            }
            other => other.map_err(|e| e.message),
        }
    };
    match retention {
        Ok(r) if r.days() != archive.summary.retention_days => {
            request.retention_days = Some(i64::from(r.days()))
        }
        Ok(_) => {}
        Err(m) => errors.push((FieldName::RetentionDays, m)),
    }
    let current_pattern = archive.event_pattern.clone().unwrap_or_default();
    let same_pattern = match (
        serde_json::from_str::<serde_json::Value>(pattern),
        serde_json::from_str::<serde_json::Value>(&current_pattern),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => pattern.trim() == current_pattern.trim(),
    };
    if !same_pattern {
        if !pattern.trim().is_empty()
            && let Err(e) = EventPattern::parse(pattern)
        {
            errors.push((FieldName::EventPattern, e.message));
        }
        request.event_pattern = Some(pattern.trim().to_owned());
    }
    let current_kms = archive.kms_key_identifier.clone().unwrap_or_default();
    if kms.trim() != current_kms {
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
    let description = RwSignal::new(archive.description.clone().unwrap_or_default());
    let indefinite = RwSignal::new(archive.summary.retention_days == 0);
    let days = RwSignal::new(if archive.summary.retention_days == 0 {
        String::new()
    } else {
        archive.summary.retention_days.to_string()
    });
    let pattern = RwSignal::new(
        archive
            .event_pattern
            .as_deref()
            .map(|p| {
                EventPattern::parse(p)
                    .map(|p| p.pretty())
                    .unwrap_or_else(|_| p.to_owned())
            })
            .unwrap_or_default(),
    );
    let kms = RwSignal::new(archive.kms_key_identifier.clone().unwrap_or_default());
    let name = archive.summary.archive_name.clone();

    let form = use_form(FormSpec {
        fields: &EDIT_FIELDS,
        operation: Operation::UpdateArchive,
        lead: "To save",
        draft: move || {
            let (request, problems) = update_request(
                &archive,
                &description.get(),
                indefinite.get(),
                &days.get(),
                &pattern.get(),
                &kms.get(),
            );
            let mut problems = problems;
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
    let error_for = move |field: FieldName| form.error(field);
    let blocked = form.blocked();
    let pending = form.pending();
    view! {
        <form class="card edit" on:submit=form.on_submit()>
            <h2>"Edit archive"</h2>
            <ErrorBanner message=form.banner() />
            <Field id="description" label="Description" error=error_for(FieldName::Description)>
                <textarea
                    id="description"
                    rows="2"
                    prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))
                ></textarea>
            </Field>
            <RetentionInput indefinite days error=error_for(FieldName::RetentionDays) />
            <Field
                id="event-pattern"
                label="Event pattern"
                hint="Leave empty to archive every event on the bus."
                error=error_for(FieldName::EventPattern)
            >
                <JsonEditor id="event-pattern" value=pattern />
            </Field>
            <Field
                id="kms-key"
                label="KMS key"
                hint="Empty: an AWS owned key."
                error=error_for(FieldName::KmsKeyIdentifier)
            >
                <input
                    id="kms-key"
                    prop:value=move || kms.get()
                    on:input=move |ev| kms.set(event_target_value(&ev))
                />
            </Field>
            <div class="actions">
                <button type="submit" disabled=move || blocked.get().is_some() || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save changes" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| on_done.run(false)>
                    "Cancel"
                </button>
                <span class="why" aria-live="polite">
                    {blocked}
                </span>
            </div>
        </form>
    }
}
