//! Where a form's problems show. A problem found by `shared`'s parsers shows under its
//! field once that field has been touched (so an empty form is not all red); a server
//! error shows under the field it names; any other server error goes to the alert
//! banner. The first problem also says why the submit button is disabled.

use crate::api::ApiError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct FormErrors {
    /// (field, message) of every current problem, from `shared`.
    problems: Signal<Vec<(String, String)>>,
    /// The last failed submission.
    server: Signal<Option<ApiError>>,
    touched: RwSignal<Vec<&'static str>>,
    fields: &'static [&'static str],
}

impl FormErrors {
    pub fn new(
        problems: Signal<Vec<(String, String)>>,
        server: Signal<Option<ApiError>>,
        fields: &'static [&'static str],
    ) -> Self {
        Self {
            problems,
            server,
            touched: RwSignal::new(Vec::new()),
            fields,
        }
    }

    pub fn touch(&self, field: &'static str) {
        self.touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        });
    }

    /// After a submit attempt every problem shows.
    pub fn touch_all(&self) {
        self.touched.set(self.fields.to_vec());
    }

    /// The message under `field`.
    pub fn field(&self, field: &'static str) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            let local = this
                .problems
                .get()
                .into_iter()
                .find(|(f, _)| f == field)
                .map(|(_, m)| m)
                .filter(|_| this.touched.get().contains(&field));
            local.or_else(|| {
                this.server
                    .get()
                    .filter(|e| e.field.as_deref() == Some(field))
                    .map(|e| e.message)
            })
        })
    }

    /// A server error that names no field of this form.
    pub fn banner(&self) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            this.server
                .get()
                .filter(|e| !e.field.as_deref().is_some_and(|f| this.fields.contains(&f)))
                .map(|e| e.message)
        })
    }

    /// Why the form cannot be submitted yet, starting with `lead` ("To create it").
    pub fn blocked(&self, lead: &'static str) -> Signal<Option<String>> {
        let problems = self.problems;
        Signal::derive(move || problems.get().first().map(|(_, m)| format!("{lead}: {m}")))
    }
}
