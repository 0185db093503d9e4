//! The form kit: one piece owns a form's draft (the request `shared` builds from what
//! was typed, with its problems), the fields touched so far, why submitting is blocked
//! (the caller's role first, then the first problem), the submission and what follows
//! it. A problem shows under its field once that field has been touched (an empty form
//! is not all red); a server error shows under the field it names, any other in the
//! alert banner; what was typed is never cleared by an error.

use crate::api::ApiError;
use crate::current_user::refusal;
use leptos::prelude::*;
use shared::Field;
use shared::roles::Operation;
use std::future::Future;

/// A request built from the form's inputs, and every (field, message) wrong with it.
pub type Draft<Req> = (Req, Vec<(Field, String)>);

/// What a form is: its fields (by wire name), the action it performs, how its blocked
/// reason starts ("To create it"), how the draft is built, how it is sent and what
/// happens once it succeeded (navigate, close the editor).
pub struct FormSpec<Req, Out, Build, Submit, Fut, Done>
where
    Build: Fn() -> Draft<Req> + Send + Sync + 'static,
    Submit: Fn(Req) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Out, ApiError>> + 'static,
    Done: Fn(&Req, &Out) + Clone + 'static,
{
    pub fields: &'static [Field],
    pub operation: Operation,
    pub lead: &'static str,
    pub draft: Build,
    pub send: Submit,
    pub done: Done,
}

/// What a form's fields need of it — each field's message, and marking a field touched —
/// without its request type, so fields two forms share (`ArchiveSettings`) are compiled
/// once.
#[derive(Clone, Copy)]
pub struct FormFields {
    error: Callback<Field, Signal<Option<String>>>,
    touch: Callback<Field>,
}

impl FormFields {
    /// The message under `field` (`Form::error`).
    pub fn error(&self, field: Field) -> Signal<Option<String>> {
        self.error.run(field)
    }

    pub fn touch(&self, field: Field) {
        self.touch.run(field);
    }

    /// What an input runs on each keystroke: keeps the text in `into` and marks `field`
    /// touched, so its problem shows.
    pub fn typing(&self, into: RwSignal<String>, field: Field) -> Callback<String> {
        let this = *self;
        Callback::new(move |text| {
            into.set(text);
            this.touch(field);
        })
    }
}

pub struct Form<Req: Send + Sync + 'static> {
    draft: Memo<Draft<Req>>,
    /// What was answered is handed to `done`; only the failure stays, for the messages.
    submission: Action<Req, Result<(), ApiError>>,
    touched: RwSignal<Vec<Field>>,
    fields: &'static [Field],
    blocked: Signal<Option<String>>,
}

impl<Req: Send + Sync> Clone for Form<Req> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req: Send + Sync> Copy for Form<Req> {}

pub fn use_form<Req, Out, Build, Submit, Fut, Done>(
    spec: FormSpec<Req, Out, Build, Submit, Fut, Done>,
) -> Form<Req>
where
    Req: Clone + PartialEq + Send + Sync + 'static,
    Out: 'static,
    Build: Fn() -> Draft<Req> + Send + Sync + 'static,
    Submit: Fn(Req) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Out, ApiError>> + 'static,
    Done: Fn(&Req, &Out) + Clone + 'static,
{
    let FormSpec {
        fields,
        operation,
        lead,
        draft,
        send,
        done,
    } = spec;
    let draft = Memo::new(move |_| draft());
    let submission = Action::new_local(move |request: &Req| {
        let (request, send, done) = (request.clone(), send.clone(), done.clone());
        async move {
            let out = send(request.clone()).await?;
            done(&request, &out);
            Ok(())
        }
    });
    let may_not = refusal(operation);
    let blocked = Signal::derive(move || {
        may_not.get().or_else(|| {
            draft.with(|(_, problems)| problems.first().map(|(_, m)| format!("{lead}: {m}")))
        })
    });
    Form {
        draft,
        submission,
        touched: RwSignal::new(Vec::new()),
        fields,
        blocked,
    }
}

impl<Req> Form<Req>
where
    Req: Clone + PartialEq + Send + Sync + 'static,
{
    pub fn touch(&self, field: Field) {
        self.touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        });
    }

    /// What an input runs on each keystroke: keeps the text in `into` and marks `field`
    /// touched, so its problem shows.
    pub fn typing(&self, into: RwSignal<String>, field: Field) -> Callback<String> {
        self.fields().typing(into, field)
    }

    /// What the form's fields need of it, whatever its request.
    pub fn fields(&self) -> FormFields {
        let this = *self;
        FormFields {
            error: Callback::new(move |field| this.error(field)),
            touch: Callback::new(move |field| this.touch(field)),
        }
    }

    /// Every problem shows (after a submit attempt, or for a form that starts filled in).
    pub fn touch_all(&self) {
        self.touched.set(self.fields.to_vec());
    }

    /// The message under `field`: its own problem once touched, else the server's.
    pub fn error(&self, field: Field) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            let local = this
                .draft
                .with(|(_, problems)| {
                    problems
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map(|(_, m)| m.clone())
                })
                .filter(|_| this.touched.with(|t| t.contains(&field)));
            local.or_else(|| {
                this.server_error()
                    .filter(|e| e.field.as_deref() == Some(field.as_str()))
                    .map(|e| e.message)
            })
        })
    }

    /// A server error that names no field of this form.
    pub fn banner(&self) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            this.server_error()
                .filter(|e| {
                    !e.field
                        .as_deref()
                        .is_some_and(|f| this.fields.iter().any(|mine| mine.as_str() == f))
                })
                .map(|e| e.message)
        })
    }

    /// Why it cannot be submitted: the role first, then the first problem.
    pub fn blocked(&self) -> Signal<Option<String>> {
        self.blocked
    }

    /// The request as typed so far, with its problems.
    pub fn draft(&self) -> Memo<Draft<Req>> {
        self.draft
    }

    pub fn pending(&self) -> Signal<bool> {
        self.submission.pending().into()
    }

    /// The form's `on:submit`: shows every problem, and sends the draft unless blocked
    /// or already sending.
    pub fn on_submit(self) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static {
        let this = self;
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            this.touch_all();
            if this.blocked.get_untracked().is_none() && !this.submission.pending().get_untracked()
            {
                this.submission
                    .dispatch(this.draft.with_untracked(|(request, _)| request.clone()));
            }
        }
    }

    fn server_error(&self) -> Option<ApiError> {
        self.submission.value().get().and_then(Result::err)
    }
}
