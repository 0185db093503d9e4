//! The state every list page shares: the filter and the page token live in the URL;
//! the tokens of earlier pages are kept in memory for "Previous page".

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::list::ListQuery;

/// The one list filter in force: EventBridge accepts only one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    None,
    NamePrefix(String),
    Source(String),
    State(String),
}

#[derive(Clone, Copy)]
pub struct ListState {
    /// The query of the page shown, read from the URL.
    pub query: Memo<ListQuery>,
    pub filter: Signal<ListFilter>,
    /// Tokens of the pages before this one (`None` is the first page).
    previous: RwSignal<Vec<Option<String>>>,
    url: fn(&ListQuery) -> String,
}

impl ListState {
    pub fn from_url(url: fn(&ListQuery) -> String) -> Self {
        let params = use_query_map();
        let query = Memo::new(move |_| {
            let p = params.get();
            ListQuery {
                name_prefix: p.get("namePrefix"),
                event_source_arn: p.get("eventSourceArn"),
                state: p.get("state"),
                limit: Some("25".to_owned()),
                next_token: p.get("nextToken"),
            }
        });
        let filter = Signal::derive(move || {
            let q = query.get();
            if let Some(p) = q.name_prefix.filter(|p| !p.is_empty()) {
                ListFilter::NamePrefix(p)
            } else if let Some(s) = q.event_source_arn.filter(|s| !s.is_empty()) {
                ListFilter::Source(s)
            } else if let Some(s) = q.state.filter(|s| !s.is_empty()) {
                ListFilter::State(s)
            } else {
                ListFilter::None
            }
        });
        Self {
            query,
            filter,
            previous: RwSignal::new(Vec::new()),
            url,
        }
    }

    fn go(&self, query: &ListQuery) {
        let navigate = use_navigate();
        navigate(&(self.url)(query), NavigateOptions::default());
    }

    /// Applies a new filter from the first page.
    pub fn set_filter(&self, filter: ListFilter) {
        let mut q = ListQuery::default();
        match filter {
            ListFilter::None => {}
            ListFilter::NamePrefix(p) => q.name_prefix = Some(p),
            ListFilter::Source(s) => q.event_source_arn = Some(s),
            ListFilter::State(s) => q.state = Some(s),
        }
        self.previous.set(Vec::new());
        self.go(&q);
    }

    pub fn has_previous(&self) -> Signal<bool> {
        let query = self.query;
        Signal::derive(move || query.get().next_token.is_some())
    }

    pub fn next(&self, token: String) {
        let mut q = self.query.get_untracked();
        self.previous.update(|p| p.push(q.next_token.take()));
        q.next_token = Some(token);
        self.go(&q);
    }

    /// Back one page; after a deep link to a later page, back to the first.
    pub fn previous(&self) {
        let mut q = self.query.get_untracked();
        let mut earlier = None;
        self.previous.update(|p| earlier = p.pop().flatten());
        q.next_token = earlier;
        self.go(&q);
    }

    pub fn is_filtered(&self) -> Signal<bool> {
        let filter = self.filter;
        Signal::derive(move || filter.get() != ListFilter::None)
    }
}
