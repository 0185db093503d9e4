// Starts the console. Trunk writes the hashed names of the wasm-bindgen module and of
// the wasm into <meta name="rewind-app"> (Trunk.toml's pattern_script); starting from
// this file rather than an inline script lets the Content-Security-Policy forbid inline
// scripts altogether. The `rewind:` marks name start-up's phases in a performance trace
// (`cargo xtask lighthouse`).
performance.mark("rewind:boot");
// The shell's navigation shows where the reader is, as the console's will (a link's
// data-also: other paths of its section, as links.rs's in_custom_buses says; data-exact:
// only its own path, as Now's `/`).
for (const link of document.querySelectorAll("#shell nav a")) {
  const paths = [link.getAttribute("href"), ...(link.dataset.also ?? "").split(" ")];
  const here = (p) => ("exact" in link.dataset ? location.pathname === p : location.pathname.startsWith(p));
  if (paths.some((p) => p && here(p))) {
    link.setAttribute("aria-current", "page");
  }
}
const app = document.querySelector('meta[name="rewind-app"]');
const { default: init } = await import(app.dataset.js);
performance.mark("rewind:glue");
await init({ module_or_path: app.dataset.wasm });
