// Starts the console. Trunk writes the hashed names of the wasm-bindgen module and of
// the wasm into <meta name="rewind-app"> (Trunk.toml's pattern_script); starting from
// this file rather than an inline script lets the Content-Security-Policy forbid inline
// scripts altogether. The `rewind:` marks name start-up's phases in a performance trace
// (`cargo xtask lighthouse`).
performance.mark("rewind:boot");
// The shell's navigation shows where the reader is, as the console's will (a link's
// data-also: other paths of its section, as links.rs's in_custom_buses says; data-exact:
// only its own path, as Now's `/`).
// A route's static frame already says it (prerendered); only index.html's shell needs this.
const marked = document.querySelector("#shell nav a[aria-current]") !== null;
for (const link of marked ? [] : document.querySelectorAll("#shell nav a")) {
  const paths = [link.getAttribute("href"), ...(link.dataset.also ?? "").split(" ")];
  const here = (p) => ("exact" in link.dataset ? location.pathname === p : location.pathname.startsWith(p));
  if (paths.some((p) => p && here(p))) {
    link.setAttribute("aria-current", "page");
  }
}
// Its data: the glue's and the wasm's names and integrity digests.
const app = document.querySelector('meta[name="rewind-app"]')?.dataset ?? {};
// The glue and the wasm are fetched once the route's static frame has painted, not
// preloaded from <head>: the frame is the page's first and largest paint, and nothing
// queued before it waits on 380 KB (`cargo xtask lighthouse`). A hidden tab paints no
// frame, hence the timeout. A browser where this very wasm has started before has it
// cached: nothing to wait for, it starts at once (the first table, `cargo xtask bench`).
const warm = "rewind:wasm";
let cached;
try {
  cached = localStorage[warm] === app.wasm;
} catch {
  // No storage (disabled, or a private window's): every start waits for the paint.
}
if (!cached) {
  await new Promise((painted) => {
    requestAnimationFrame(() => setTimeout(painted, 0));
    setTimeout(painted, 250);
  });
}
// The static frame would otherwise look like a page still loading, forever: a failed
// start — the files, or the console's first render (a task of its own after `init`) —
// says so in the frame while the frame is still there.
const failed = (error) => {
  const main = document.querySelector("#shell main");
  if (main) {
    const alert = document.createElement("p");
    alert.className = "banner error";
    alert.setAttribute("role", "alert");
    alert.textContent = `Rewind could not start: ${error?.message ?? error}. Reload the page; if this stays, the console's files may be mid-deploy.`;
    main.replaceChildren(alert);
  }
};
addEventListener("error", (event) => {
  if (!event.filename || event.filename.includes(app.js) || event.filename.includes(app.wasm)) {
    failed(event.error ?? event.message);
  }
});
try {
  // Checked against the digests xtask wrote beside their names.
  const glue = document.createElement("link");
  glue.rel = "modulepreload";
  glue.href = app.js;
  glue.integrity = app.jsIntegrity ?? "";
  document.head.append(glue);
  const wasm = fetch(app.wasm, { integrity: app.wasmIntegrity ?? "" });
  const { default: init } = await import(app.js);
  performance.mark("rewind:glue");
  await init({ module_or_path: wasm });
  try {
    localStorage[warm] = app.wasm;
  } catch {}
} catch (error) {
  failed(error);
  throw error;
}
