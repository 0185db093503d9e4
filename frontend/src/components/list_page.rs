//! The skeleton every list page shares: its heading with the action that makes one, the
//! role note, the filters, the table of one page (or what an empty page says, or the
//! error), and the pager. A page supplies only its fetch, its filters and its table.

use crate::api::ApiError;
use crate::components::empty_list::EmptyList;
use crate::components::error_banner::ErrorBanner;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::loading::Loading;
use crate::components::pager::Pager;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::list::ListQuery;
use shared::roles::Operation;
use std::future::Future;

/// One page of a list, as its route answers it.
pub trait ListPageData: Clone + 'static {
    fn is_empty(&self) -> bool;
    fn next_token(&self) -> Option<String>;
}

/// What a list holds and how the first one is made: the heading's action and the empty
/// list's invitation.
#[derive(Clone)]
pub struct ListKind {
    /// The heading: "Archives".
    pub title: &'static str,
    /// In sentences: "archives".
    pub what: &'static str,
    /// What an empty, unfiltered list explains.
    pub explain: &'static str,
    /// The action that makes one, its form and its label.
    pub create: Operation,
    pub href: String,
    pub label: &'static str,
    /// Said above the table whatever it holds (and so in the route's static frame).
    pub note: Option<String>,
}

#[component]
pub fn ListPage<T, Fut>(
    kind: ListKind,
    list: ListState,
    /// One page of the list for a query (its request is aborted when the page is left).
    fetch: fn(ListQuery) -> Fut,
    /// The table of a page that has rows.
    table: fn(T) -> AnyView,
    /// The filter controls.
    children: Children,
    /// An empty list does not offer the action (it needs one of the things listed).
    #[prop(optional)]
    no_invite: bool,
) -> impl IntoView
where
    T: ListPageData,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let page = LocalResource::new(move || fetch(list.query.get()));
    let next_token =
        Signal::derive(move || page.get().and_then(Result::ok).and_then(|p| p.next_token()));
    let ListKind {
        title,
        what,
        explain,
        create,
        href,
        label,
        note,
    } = kind;
    let filtered = list.is_filtered();
    let empty_href = href.clone();
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <GuardedLink action=create href label />
        </div>
        <RoleNote action=create />
        {children()}
        // Above the table, so that the rows arriving move nothing (and in the static frame).
        {note.map(|note| view! { <p class="note">{note}</p> })}
        <Transition fallback=move || {
            view! { <Loading what=what /> }
        }>
            {move || {
                page.get()
                    .map(|result| match result {
                        Ok(rows) if rows.is_empty() => {
                            view! {
                                <EmptyList
                                    filtered
                                    what
                                    explain
                                    action=create
                                    href=empty_href.clone()
                                    label
                                    no_invite
                                />
                            }
                                .into_any()
                        }
                        Ok(rows) => table(rows),
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
        <Pager list next_token />
    }
}
