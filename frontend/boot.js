// Starts the console. Trunk writes the hashed names of the wasm-bindgen module and of
// the wasm into <meta name="rewind-app"> (Trunk.toml's pattern_script); starting from
// this file rather than an inline script lets the Content-Security-Policy forbid inline
// scripts altogether.
const app = document.querySelector('meta[name="rewind-app"]');
const { default: init } = await import(app.dataset.js);
await init({ module_or_path: app.dataset.wasm });
