//! What the browser downloads: the built `dist/`, raw, gzip -9 and brotli (quality 11),
//! and the budget it must stay within.

use crate::Result;
use std::io::Write;
use std::path::Path;

/// THE payload budget: the whole console (wasm, js, css, html), brotli-compressed.
/// `cargo xtask test` fails when `dist/` grows past it. It holds today's size (259,121
/// bytes on 2026-11-26) so the console cannot grow; the goal is 200,000 (issue 7), and
/// each trim should lower this line with it (2026-12-02: 288,325 measured, 288,500 set).
/// Replay jobs raised it by their measured cost, 22,868 bytes: the Jobs page 4.7 KB, the
/// Job page 6.4 KB, "Pace this replay" 3.2 KB, and the job DTOs, their validation and
/// the slice and peek tags 8.6 KB (311,193 measured, 311,500 set). Replay reports'
/// Delivery section on the Replay and Job pages raised it by 17,385 bytes, of which the
/// per-minute chart (plain SVG) is 1,872; leptos-chartistry in its place measured
/// 82,894 (328,578 measured, 328,800 set). "Forward to another bus" on Start replay (the
/// receiving bus's preview, the Forwarded-to row) added 4,073 (332,651 measured, 332,900
/// set). Start-up (issue 28) added 985: the app shell in `index.html` and the frame the
/// console starts in, the preload of `config.json`, start-up's marks and the page's
/// render in a task of its own — for the first paint 1.8 s earlier and a quarter of the
/// main thread's long-task time on a phone (`cargo xtask lighthouse`; 333,636 measured,
/// 333,700 set). Issue 34's one list-page and one detail-page skeleton (each a generic
/// component built for its three pages), reads aborted when their page is left, the
/// shared destructive button, picker, archive settings and form row added 3,296 — the
/// raw wasm grew 2.3 KB, the rest is code that compresses less well once the three
/// copies are one (336,932 measured, 337,000 set). The Custom Event Bus (issue 35), four
/// pages, raised it by their measured cost, 30,516 bytes: "Replay to subscribers" 12.6 KB;
/// the Custom buses list, a bus's page and a v2 replay's page with the v2 DTOs and their
/// validation 17.9 KB together, none of them over 15 KB (367,448 measured, 367,500 set).
/// The on-call round (issue 36): the Now page, a new page, 13,587 bytes (measured as the
/// build with it against the same build with its route left out); the rest of the round
/// on existing pages 6,865 together — the delivery verdict beside each state, the chart's
/// axis, scale and per-minute names (its SVG written as one string: one view per minute
/// cost more), ISO time entry, the preview's nothing-ticked and updating states, the
/// slice labels, the danger zone, the header's account and region, "Sent to", and 557
/// bytes of stylesheet (387,900 measured, 388,000 set); the verdict in the Replays and
/// Jobs lists then 42 (387,942). Issue 37: the JS minified by esbuild, −2,030 (385,910);
/// then the archive pages' key comparison and 1 MB peek events (their size, JSON laid
/// out on opening, a Blob download), +6,648 on existing pages (392,558; 392,600 set).
/// Issue 38: every route's static frame (16 pages of prerendered HTML, served in place
/// of index.html and not counted here) and what takes over from them — the console
/// mounted hidden and swapped in, its render in a task of its own, boot.js fetching the
/// glue and the wasm after the first paint with their integrity, and its error — +1,357
/// over the last measure (393,512, then 393,538 with boot.js leaving a frame's current link alone; 393,600 set).
/// Then each page's largest paint put in its frame: the detail pages' and the two replay
/// forms' leads (what the page is and does), boot.js reporting a failed first render in
/// the frame (the render is now a task after the wasm's instantiation) — +322 (393,860;
/// 393,900 set). Not a new page's cost: issue 38's own, said in its note. Then boot.js
/// starting a wasm this browser has started before without waiting for the paint (its
/// name remembered in `localStorage`), the meta tag's data read once: +35 (393,895).
/// Then the checked wasm kept in Cache Storage for a returning load, a failed check tried
/// once more past the HTTP cache, and the index.html shell's own current-link marking
/// dropped (every route has a frame that carries it): −24 (393,871).
pub const BROTLI_BUDGET_BYTES: u64 = 393_900;
/// Where the budget is headed.
pub const BROTLI_TARGET_BYTES: u64 = 200_000;

#[derive(Debug, Default, Clone, Copy)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Self) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

/// Writes `FILE.br` (brotli 11) and `FILE.gz` (gzip -9) beside every wasm, js, css and
/// html file of `dist`, for the local server to send as they are.
pub fn precompress(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)?.flatten() {
        let path = entry.path();
        // The routes' static frames (`frames/`), served the same way.
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["wasm", "js", "css", "html"].contains(&e));
        if !compressible {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let with = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            std::path::PathBuf::from(name)
        };
        std::fs::write(with(".br"), brotli_bytes(&bytes)?)?;
        std::fs::write(with(".gz"), gzip_bytes(&bytes)?)?;
    }
    Ok(())
}

/// (kind, sizes) for wasm, js, css, html, and the total.
pub fn measure(dist: &Path) -> Result<Vec<(&'static str, Sizes)>> {
    let mut by_kind: Vec<(&'static str, Sizes)> = ["wasm", "js", "css", "html"]
        .into_iter()
        .map(|k| (k, Sizes::default()))
        .collect();
    let entries = std::fs::read_dir(dist).map_err(|e| {
        anyhow::anyhow!(
            "cannot read {}: {e} (build the console first)",
            dist.display()
        )
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(kind) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Some((_, sizes)) = by_kind.iter_mut().find(|(k, _)| *k == kind) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        *sizes += Sizes {
            raw: bytes.len() as u64,
            gzip: gzip(&bytes)?,
            brotli: brotli(&bytes)?,
        };
    }
    let mut total = Sizes::default();
    for (_, sizes) in &by_kind {
        total += *sizes;
    }
    by_kind.push(("total", total));
    Ok(by_kind)
}

fn gzip(bytes: &[u8]) -> Result<u64> {
    Ok(gzip_bytes(bytes)?.len() as u64)
}

fn brotli(bytes: &[u8]) -> Result<u64> {
    Ok(brotli_bytes(bytes)?.len() as u64)
}

fn gzip_bytes(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli_bytes(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

pub fn table(sizes: &[(&'static str, Sizes)]) -> String {
    let mut out = String::from("| file | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|\n");
    for (kind, s) in sizes {
        out.push_str(&format!(
            "| {kind} | {} | {} | {} |\n",
            thousands(s.raw),
            thousands(s.gzip),
            thousands(s.brotli)
        ));
    }
    out
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The budget check `cargo xtask test` runs on the release build of the console; it
/// answers the sizes it measured.
pub fn check_budget(dist: &Path) -> Result<Vec<(&'static str, Sizes)>> {
    let sizes = measure(dist)?;
    print!("{}", table(&sizes));
    let total = sizes.last().map(|(_, s)| s.brotli).unwrap_or_default();
    if total > BROTLI_BUDGET_BYTES {
        return Err(anyhow::anyhow!(
            "the console is {} bytes brotli-compressed, over its budget of {} (xtask/src/payload.rs)",
            thousands(total),
            thousands(BROTLI_BUDGET_BYTES)
        ));
    }
    println!(
        "    payload: {} of {} bytes brotli ({:.0} % of the budget)",
        thousands(total),
        thousands(BROTLI_BUDGET_BYTES),
        total as f64 * 100.0 / BROTLI_BUDGET_BYTES as f64
    );
    Ok(sizes)
}
