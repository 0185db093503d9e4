//! The header of every screen: the skip link, the brand, the main navigation and who is
//! signed in.

use leptos::prelude::*;

/// The header with `nav`'s links; `children` say who is signed in.
#[component]
pub fn Masthead(nav: AnyView, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <a class="skip" href="#main">
            "Skip to content"
        </a>
        <header class="top">
            <a class="brand" href="/">
                "Rewind"
            </a>
            <nav aria-label="Main">{nav}</nav>
            <div class="user">{children.map(|who| who())}</div>
        </header>
    }
}
