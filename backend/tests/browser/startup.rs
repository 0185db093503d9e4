//! Start-up: the app shell `index.html` paints before the wasm arrives, and the console
//! taking over from it without a shift; the marks that name start-up's phases.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_shell_is_the_consoles_frame_and_gives_way_without_a_shift() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    // What the HTML alone paints, on any of the console's routes.
    let html = reqwest::get(format!("{}/replays", app.address))
        .await
        .expect("get the page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=shell"), "no app shell in {html}");
    assert!(html.contains("Loading Rewind…"), "{html}");
    let shell = shell_nav(&html);
    assert_eq!(
        shell,
        ["Now", "Archives", "Replays", "Jobs", "Custom buses"],
        "{html}"
    );
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
            // Nothing on the page moved while it loaded: the layout shift score, and
            // what moved. (Lighthouse calls up to 0.1 good; this asks for 100× less.)
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
        },
    )
    .await;
}
