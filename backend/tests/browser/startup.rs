//! Start-up: each route's static frame (prerendered from the console's own components)
//! is in the HTML and paints before the wasm arrives; the console takes over from it
//! without a shift; the marks that name start-up's phases.

use fantoccini::Locator;
use testkit::app::{Emulator, spawn_app_with};
use testkit::console::dist;

/// The texts of the links between `<nav` and `</nav>` of `html`.
fn shell_nav(html: &str) -> Vec<String> {
    let nav = html
        .split_once("<nav")
        .and_then(|(_, rest)| rest.split_once("</nav>"))
        .map(|(nav, _)| nav)
        .unwrap_or_default();
    nav.split("</a>")
        .filter_map(|link| {
            link.rsplit_once('>')
                .map(|(_, text)| text.trim().to_owned())
        })
        .filter(|text| !text.is_empty())
        .collect()
}

/// The HTML the server answers `path` with: what the browser has before any script.
async fn html_of(base: &str, path: &str) -> String {
    reqwest::get(format!("{base}{path}"))
        .await
        .expect("get the page")
        .text()
        .await
        .expect("html")
}

/// The text of `html` between `<h1>` and `</h1>`, if any.
fn heading(html: &str) -> Option<&str> {
    let (_, rest) = html.split_once("<h1>")?;
    rest.split_once("</h1>").map(|(h1, _)| h1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_routes_frame_is_in_its_html_and_gives_way_without_a_shift() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    // What the HTML alone paints, before any script runs: the route's heading (a route
    // with a name in its path: what loads), the navigation, and here the local-mode note.
    for (path, expected) in [
        ("/", "Now"),
        ("/archives", "Archives"),
        ("/archives/new", "Create archive"),
        ("/replays", "Replays"),
        ("/replays/new", "Start replay"),
        ("/jobs", "Replay jobs"),
        ("/custom-buses", "Custom buses"),
        ("/v2-replays/new", "Replay to subscribers"),
        ("/no-such-page", "Page not found"),
    ] {
        let html = html_of(&app.address, path).await;
        assert_eq!(heading(&html), Some(expected), "{path}: {html}");
        assert!(html.contains("Local mode, no sign-in"), "{path}: {html}");
        assert_eq!(
            shell_nav(&html),
            ["Now", "Archives", "Replays", "Jobs", "Custom buses"],
            "{path}"
        );
    }
    for (path, loading) in [
        ("/archives/orders-all", "Loading the archive…"),
        ("/archives/orders-all/peek", "Peek into <!>…"),
        ("/replays/fix", "Loading the replay…"),
        ("/jobs/nightly", "Loading the replay job…"),
        ("/custom-buses/orders-v2", "Loading the Custom Event Bus…"),
        ("/v2-replays/fix", "Loading the v2 replay…"),
    ] {
        let html = html_of(&app.address, path).await;
        assert!(html.contains(loading), "{path}: {html}");
        // The page's lead, above what its data changes: the frame's largest paint.
        assert!(
            html.contains(r#"<p class="lead"#),
            "{path}: no lead in the frame: {html}"
        );
        assert!(
            !html.contains("orders-all<") && !html.contains(">fix<"),
            "{path}: a name in a generic frame: {html}"
        );
    }
    let html = html_of(&app.address, "/replays").await;
    let shell = shell_nav(&html);
    let bus = app.create_bus("orders").await;
    app.create_archive_directly("orders-all", &bus).await;
    app.in_browser("startup", move |b| async move {
            b.open("/replays", "Replays").await;
            // The console's navigation is the shell's, and the shell is gone: one
            // header, one main.
            assert_eq!(b.texts("header.top nav a").await, shell);
            assert_eq!(b.texts("header.top").await.len(), 1);
            assert_eq!(b.texts("main").await.len(), 1);
            assert!(
                b.client.find(Locator::Id("shell")).await.is_err(),
                "the shell is still in the page"
            );
            let current = b
                .find(Locator::Css("header.top nav a[aria-current=page]"))
                .await
                .text()
                .await
                .expect("current link");
            assert_eq!(current, "Replays");
            // Nothing on the page moved while it loaded (Lighthouse calls a layout shift
            // score up to 0.1 good; this asks for 100× less).
            assert_no_shift(&b).await;
            // Start-up's phases are marked, in order.
            let marks = b
                .client
                .execute(
                    "return ['rewind:boot', 'rewind:glue', 'rewind:main', 'rewind:mounted', 'rewind:session']
                       .map(name => performance.getEntriesByName(name)[0]?.startTime ?? null);",
                    vec![],
                )
                .await
                .expect("marks");
            let marks: Vec<f64> = marks
                .as_array()
                .expect("an array")
                .iter()
                .map(|m| m.as_f64().unwrap_or_else(|| panic!("a mark is missing: {marks}")))
                .collect();
            assert!(
                marks.windows(2).all(|pair| pair[0] <= pair[1]),
                "start-up's marks are out of order: {marks:?}"
            );
            // Once started, the browser keeps the checked wasm (boot.js): in Cache
            // Storage, on the shelf its digest names.
            wait_kept(&b).await;
            // A returning browser's load starts that wasm without fetching it or waiting
            // for the frame's paint, and takes over the same way: one header, one main,
            // no shift.
            b.open("/replays", "Replays").await;
            assert_eq!(
                wasm_transfers(&b).await,
                serde_json::json!([]),
                "a returning load fetched the kept wasm"
            );
            assert_eq!(b.texts("header.top").await.len(), 1);
            assert_eq!(b.texts("main").await.len(), 1);
            assert_no_shift(&b).await;
            // Its shelf gone (storage cleared, a new deploy's digest): fetched, checked
            // and kept again, the older shelf gone, and the console still starts.
            forget_kept_wasm(&b).await;
            // An older deploy's shelf, which the new one replaces.
            b.client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     caches.open('rewind-wasm sha384-older')
                       .then(c => c.put('/older_bg.wasm', new Response('older')))
                       .then(() => done(true), (e) => done(String(e)));",
                    vec![],
                )
                .await
                .expect("an older shelf");
            b.open("/archives", "Archives").await;
            let fetched = wasm_transfers(&b).await;
            assert_eq!(
                fetched.as_array().map(Vec::len),
                Some(1),
                "the wasm was not fetched again: {fetched}"
            );
            wait_kept(&b).await;
            // A kept wasm that no longer starts (its bytes damaged on the shelf): the
            // frame says so, the shelf goes, and the next load fetches, checks and keeps
            // it again.
            let damaged = b
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     const app = document.querySelector('meta[name=rewind-app]').dataset;
                     caches.open('rewind-wasm ' + app.wasmIntegrity)
                       .then(c => c.put(app.wasm, new Response('not a wasm',
                         { headers: { 'content-type': 'application/wasm' } })))
                       .then(() => done(true), (e) => done(String(e)));",
                    vec![],
                )
                .await
                .expect("a damaged shelf");
            assert_eq!(damaged, serde_json::json!(true));
            b.client
                .goto(&format!("{}/replays", b.base))
                .await
                .expect("navigate");
            b.wait_text("#shell main .banner.error", "Rewind could not start")
                .await;
            b.eventually("the damaged shelf to go", |b| async move {
                shelves(&b).await == serde_json::json!([])
            })
            .await;
            b.open("/replays", "Replays").await;
            let fetched = wasm_transfers(&b).await;
            assert_eq!(
                fetched.as_array().map(Vec::len),
                Some(1),
                "the wasm was not fetched after its shelf failed: {fetched}"
            );
            wait_kept(&b).await;
            // Each page's largest paint is its frame's, painted before the wasm started:
            // nothing the console paints later, its data in, is larger (Lighthouse's LCP
            // is that paint). A list, a form and a detail page, each loaded afresh: as
            // on a first visit, without the kept wasm that a returning browser starts at
            // once (boot.js).
            for (path, heading) in [
                ("/replays", "Replays"),
                ("/replays/new", "Start replay"),
                ("/archives/orders-all", "orders-all"),
            ] {
                forget_kept_wasm(&b).await;
                b.open(path, heading).await;
                let largest = largest_paint(&b).await;
                println!("{path}: largest contentful paint {largest}");
                let (Some(at), Some(main)) = (largest["at"].as_f64(), largest["main"].as_f64())
                else {
                    panic!("{path}: no largest contentful paint or no rewind:main mark: {largest}");
                };
                // Once in four CI runs the console's lead, the frame's text on a new node,
                // was reported again 85 px² (0.15 %) larger: still the frame's content,
                // painted first by the frame.
                let painted_first = if largest["repaint"] == true {
                    largest["first"].as_f64().unwrap_or(f64::MAX)
                } else {
                    at
                };
                assert!(
                    painted_first < main,
                    "{path}: the largest paint came from the console, not the frame: {largest}"
                );
            }
        },
    )
    .await;
}

/// Whether the wasm this page names is kept on its digest's Cache Storage shelf, and that
/// shelf is the only one (boot.js).
async fn kept_wasm(b: &testkit::console::Browser) -> serde_json::Value {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const app = document.querySelector('meta[name=rewind-app]').dataset;
             const shelf = 'rewind-wasm ' + app.wasmIntegrity;
             (async () => {
               const shelves = (await caches.keys()).filter(n => n.startsWith('rewind-wasm '));
               const kept = await (await caches.open(shelf)).match(app.wasm);
               return shelves.length === 1 && shelves[0] === shelf && kept?.status === 200
                 && localStorage.getItem('rewind') === shelf;
             })().then(done, (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("the kept wasm")
}

/// The names of the page's wasm shelves in Cache Storage.
async fn shelves(b: &testkit::console::Browser) -> serde_json::Value {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             caches.keys()
               .then(names => done(names.filter(n => n.startsWith('rewind-wasm '))),
                     (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("the wasm shelves")
}

/// Waits for boot.js to keep the started wasm (it does once `init` has returned).
async fn wait_kept(b: &testkit::console::Browser) {
    let kept = testkit::wait_until(
        "the started wasm kept",
        std::time::Duration::from_secs(5),
        std::time::Duration::from_millis(50),
        || async {
            (kept_wasm(b).await == serde_json::json!(true))
                .then_some(())
                .ok_or("not kept")
        },
    )
    .await;
    if kept.is_err() {
        panic!("the started wasm is not kept: {}", kept_wasm(b).await);
    }
}

/// Removes every kept wasm and the hint that one is kept, as a first visit has neither.
async fn forget_kept_wasm(b: &testkit::console::Browser) {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             localStorage.removeItem('rewind');
             caches.keys()
               .then(names => Promise.all(names.map(n => caches.delete(n))))
               .then(() => done(true), (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("the kept wasm removed");
}

/// What each fetch of the page's wasm transferred (Resource Timing; none when it came
/// from Cache Storage).
async fn wasm_transfers(b: &testkit::console::Browser) -> serde_json::Value {
    b.client
        .execute(
            "const wasm = document.querySelector('meta[name=rewind-app]').dataset.wasm;
             return performance.getEntriesByType('resource')
               .filter(e => e.name.endsWith(wasm)).map(e => e.transferSize);",
            vec![],
        )
        .await
        .expect("the wasm's fetches")
}

/// The page's last largest-contentful-paint entry, once its paints have settled: when it
/// was painted, its element, whether it is only the console painting the frame's lead
/// again (`repaint`, with the first entry's time), and when the wasm's `main` started.
async fn largest_paint(b: &testkit::console::Browser) -> serde_json::Value {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const main = performance.getEntriesByName('rewind:main')[0]?.startTime ?? null;
             setTimeout(() => {
               let answered = false;
               const answer = (entries) => {
                 if (answered) return;
                 answered = true;
                 const last = entries.at(-1);
                 const first = entries[0];
                 // The console's own lead painted again: the same text the frame
                 // painted first (a new node once the console takes over), within 1 % of
                 // its size. Anything else the console paints is new content.
                 const lead = document.querySelector('main p.lead');
                 const repaint = !!last && last !== first && last.element === lead
                   && Math.abs(last.size - first.size) <= first.size / 100;
                 done({ at: last?.startTime ?? null, size: last?.size ?? null,
                        first: first?.startTime ?? null, firstSize: first?.size ?? null,
                        element: last?.element ? `${last.element.nodeName}.${last.element.className}` : null,
                        repaint, entries: entries.length, main });
               };
               new PerformanceObserver((list) => answer(list.getEntries()))
                 .observe({ type: 'largest-contentful-paint', buffered: true });
               setTimeout(() => answer([]), 500);
             }, 1000);",
            vec![],
        )
        .await
        .expect("largest contentful paint")
}

/// The page's layout shifts since it loaded: their score under 0.001, and what moved.
async fn assert_no_shift(b: &testkit::console::Browser) {
    let shifts = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             let total = 0;
             const moved = [];
             new PerformanceObserver(list => {
               for (const entry of list.getEntries()) {
                 total += entry.value;
                 for (const source of entry.sources ?? []) {
                   const node = source.node;
                   moved.push(node ? `${node.nodeName}.${node.className ?? ''} at ${entry.startTime.toFixed(0)} ms` : '(gone)');
                 }
               }
             }).observe({ type: 'layout-shift', buffered: true });
             setTimeout(() => done({ total, moved }), 300);",
            vec![],
        )
        .await
        .expect("layout shifts");
    println!("layout shifts while loading: {shifts}");
    let total = shifts["total"].as_f64().expect("a score");
    assert!(total < 0.001, "the page shifted while it loaded: {shifts}");
}
