//! The console under test in Chromium: one fresh browser per test, always closed
//! afterwards, and the ways tests find what a person sees (labels, button names).

use crate::browser::{BrowserOptions, Chromium};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// The built console (`trunk build --release`, which `cargo xtask test` runs first), as
/// a test app serves it: `spawn_app_with(kind, |s| s.static_dir = dist())`.
pub fn dist() -> PathBuf {
    let dist = crate::app::workspace_root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "build the console first: trunk build --release (cargo xtask test does)"
    );
    dist
}

/// The JSON body of `GET url` (whatever its status), as a browser test checks what the
/// API holds behind the page.
pub async fn fetch_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// Where each test's final screenshot goes: `target/browser-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    crate::app::target_dir().join("browser-screenshots")
}

/// The console under test in one browser.
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    pub base: String,
}

/// Which colour scheme the browser prefers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// Runs `test` with a fresh browser on `base`; whatever happens, saves a screenshot of
/// the final page as `NAME.png`, closes the browser and stops chromedriver.
pub async fn with_browser<F, Fut>(base: &str, name: &str, theme: Theme, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let chromium = match Chromium::launch(BrowserOptions {
        dark: theme == Theme::Dark,
        ..BrowserOptions::default()
    })
    .await
    {
        Ok(chromium) => chromium,
        Err(e) => panic!("{e}"),
    };
    let client = chromium.client.clone();
    let browser = Browser {
        client: client.clone(),
        base: base.to_owned(),
    };
    let outcome = tokio::spawn(test(browser)).await;

    let dir = screenshot_dir();
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
    chromium.close().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("browser test did not finish: {e}");
    }
}

/// [`with_browser`] in the light theme, as most tests see the console.
pub async fn with_light_browser<F, Fut>(base: &str, name: &str, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser(base, name, Theme::Light, test).await;
}

impl crate::app::TestApp {
    /// [`with_light_browser`] on the console this app serves.
    pub async fn in_browser<F, Fut>(&self, name: &str, test: F)
    where
        F: FnOnce(Browser) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        with_light_browser(&self.address, name, test).await;
    }
}

fn literal(text: &str) -> String {
    // XPath 1.0 has no escapes; names in these tests contain no quotes.
    format!("'{text}'")
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .expect("navigate");
        // The route's static frame (inert controls, the same heading) shows until the
        // console takes over; what a test does next is done to the console.
        self.eventually(
            "the console to take over from the static frame",
            |b| async move { b.client.find(Locator::Id("shell")).await.is_err() },
        )
        .await;
    }

    /// Goes to `path` and waits until its heading reads `heading`.
    pub async fn open(&self, path: &str, heading: &str) {
        self.goto(path).await;
        self.wait_heading(heading).await;
    }

    /// Opens Start replay for `archive` and waits until the form has chosen it.
    pub async fn open_start_replay(&self, archive: &str) {
        self.open(&format!("/replays/new?archive={archive}"), "Start replay")
            .await;
        let want = archive.to_owned();
        self.eventually("the archive to be chosen", move |b| {
            let want = want.clone();
            async move { b.value_of("Archive").await == want }
        })
        .await;
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| {
                let q = u.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{}{q}", u.path())
            })
            .unwrap_or_default()
    }

    /// Waits for an element.
    pub async fn find(&self, locator: Locator<'_>) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("not found: {e}"))
    }

    /// The form control labelled `label` (by its `<label for>`).
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()={}]", literal(label));
        let label_el = self.find(Locator::XPath(&xpath)).await;
        let id = label_el
            .attr("for")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("label {label} has no for"));
        self.find(Locator::Id(&id)).await
    }

    /// A button or button-styled link by its text.
    pub async fn button(&self, name: &str) -> Element {
        let xpath = format!(
            "//button[normalize-space()={n}] | //a[normalize-space()={n}]",
            n = literal(name)
        );
        self.find(Locator::XPath(&xpath)).await
    }

    /// Whether the button or button-styled link `name` can be used (a control whose
    /// state cannot be read counts as enabled).
    pub async fn is_enabled(&self, name: &str) -> bool {
        self.button(name).await.is_enabled().await.unwrap_or(true)
    }

    /// A button inside the open dialog.
    pub async fn dialog_button(&self, name: &str) -> Element {
        let xpath = format!(
            "//*[@role='dialog']//button[normalize-space()={}]",
            literal(name)
        );
        self.find(Locator::XPath(&xpath)).await
    }

    /// A radio or checkbox by the text of its label.
    pub async fn choice(&self, text: &str) -> Element {
        let xpath = format!(
            "//label[contains(normalize-space(), {})]/input",
            literal(text)
        );
        self.find(Locator::XPath(&xpath)).await
    }

    pub async fn click(&self, element: Element) {
        element.click().await.expect("click");
    }

    /// Replaces a field's text with the keyboard, as a person would (WebDriver's own
    /// `clear` fires no input event).
    pub async fn type_into(&self, label: &str, text: &str) {
        let input = self.field(label).await;
        let select_all = format!("{}a{}", char::from(Key::Control), char::from(Key::Null));
        input.send_keys(&select_all).await.expect("select all");
        input
            .send_keys(&char::from(Key::Backspace).to_string())
            .await
            .expect("delete");
        if !text.is_empty() {
            input.send_keys(text).await.expect("type");
        }
    }

    /// Sets an input's value the way a picker would (datetime-local inputs take no
    /// typing portably) and fires its change event.
    pub async fn set_value(&self, label: &str, value: &str) {
        let input = self.field(label).await;
        let arg = serde_json::to_value(&input).expect("element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![arg, Value::String(value.to_owned())],
            )
            .await
            .expect("set value");
    }

    pub async fn value_of(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Polls `probe` until it returns true (the page is asynchronous).
    pub async fn eventually<F, Fut>(&self, what: &str, mut probe: F)
    where
        F: FnMut(Browser) -> Fut,
        Fut: Future<Output = bool>,
    {
        let waited = crate::wait_until(what, WAIT, Duration::from_millis(100), || {
            let check = probe(self.clone());
            async move { if check.await { Ok(()) } else { Err("not yet") } }
        })
        .await;
        if let Err(timed_out) = waited {
            panic!("{timed_out}");
        }
    }

    /// The text of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    }

    pub async fn heading(&self) -> String {
        self.texts("h1")
            .await
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    pub async fn wait_heading(&self, text: &str) {
        let want = text.to_owned();
        self.eventually(&format!("heading {text}"), move |b| {
            let want = want.clone();
            async move { b.heading().await == want }
        })
        .await;
    }

    pub async fn wait_text(&self, css: &str, text: &str) {
        let (css, want) = (css.to_owned(), text.to_owned());
        self.eventually(&format!("{css} showing {text}"), move |b| {
            let (css, want) = (css.clone(), want.clone());
            async move { b.texts(&css).await.iter().any(|t| t.contains(&want)) }
        })
        .await;
    }

    /// Scrolls the first element matching `css` into view (for the screenshot).
    pub async fn scroll_to(&self, css: &str) {
        let _ = self
            .client
            .execute(
                "document.querySelector(arguments[0])?.scrollIntoView({block: 'start'});",
                vec![Value::String(css.to_owned())],
            )
            .await;
    }

    /// The detail row `dt` → `dd` text on a detail page.
    pub async fn detail(&self, term: &str) -> String {
        let xpath = format!(
            "//dt[normalize-space()={}]/following-sibling::dd[1]",
            literal(term)
        );
        self.find(Locator::XPath(&xpath))
            .await
            .text()
            .await
            .unwrap_or_default()
    }

    pub async fn progress(&self) -> Option<String> {
        let bar = self
            .client
            .find(Locator::Css("[role='progressbar']"))
            .await
            .ok()?;
        bar.attr("aria-valuenow").await.ok().flatten()
    }
}
