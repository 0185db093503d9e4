// Starts the console. Trunk writes the hashed names of the wasm-bindgen module and of
// the wasm into <meta name="rewind-app"> (Trunk.toml's pattern_script); starting from
// this file rather than an inline script lets the Content-Security-Policy forbid inline
// scripts altogether. The `rewind:` marks name start-up's phases in a performance trace
// (`cargo xtask lighthouse`).
performance.mark("rewind:boot");
// Its data: the glue's and the wasm's names and integrity digests. (The current page's
// link is marked in each route's static frame, and by the console once it runs.)
const app = document.querySelector('meta[name="rewind-app"]')?.dataset ?? {};
// The wasm runs only as checked against the digest its frame names. A check buffers all
// 1.3 MB before compiling them, 13–16 ms of every returning load (the first table,
// `cargo xtask bench`), so a checked wasm is kept in Cache Storage, which only this file
// writes, on a shelf named by its digest; a returning load compiles it from there as it
// streams. Not the HTTP cache: it also keeps what failed the check, and what a visit to
// the file's URL fetched. Cache Storage is for secure contexts only (https, localhost);
// without it every load fetches and checks.
const shelf = app.wasmIntegrity && `rewind-wasm ${app.wasmIntegrity}`;
const kept = Promise.resolve(shelf && self.caches?.match(app.wasm, { cacheName: shelf })).catch(
  () => {},
);
// The glue and the wasm are fetched once the route's static frame has painted, not
// preloaded from <head>: the frame is the page's first and largest paint, and nothing
// queued before it waits on 380 KB (`cargo xtask lighthouse`). A hidden tab paints no
// frame, hence the timeout. A browser that has kept this wasm (its shelf's name left in
// localStorage, a hint only: the bytes come from the shelf) waits for nothing.
const hint = "rewind";
let warm;
try {
  warm = localStorage[hint] === shelf;
} catch {}
if (!warm) {
  await new Promise((painted) => {
    requestAnimationFrame(() => setTimeout(painted, 0));
    setTimeout(painted, 250);
  });
}
// The static frame would otherwise look like a page still loading, forever: a failed
// start — the files, or the console's first render (a task of its own after `init`) —
// says so in the frame while the frame is still there.
const failed = (error) => {
  // A wasm that failed to start is not trusted again: the next load fetches and checks.
  // (A first render that fails, a task of its own, may come before the shelf is written:
  // those bytes were checked, and it is the console that failed, not its files.)
  self.caches?.delete(shelf);
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
  // A check that fails is tried once more past the HTTP cache, which would otherwise
  // answer with the same bytes for a year (say, a file caught mid-deploy).
  const checked = (cache) => fetch(app.wasm, { integrity: app.wasmIntegrity ?? "", cache });
  let fresh;
  const wasm = kept.then(
    (response) =>
      response ??
      checked()
        .catch(() => checked("reload"))
        .then((response) => {
          fresh = response.clone();
          return response;
        }),
  );
  const { default: init } = await import(app.js);
  performance.mark("rewind:glue");
  await init({ module_or_path: wasm });
  // Kept once the wasm has started; older wasms' shelves go (this origin keeps nothing
  // else in Cache Storage). Not kept (no digest, no Cache Storage, no room): the next
  // load fetches and checks, nothing worse.
  try {
    if (shelf && fresh) {
      for (const name of await caches.keys()) name === shelf || caches.delete(name);
      await (await caches.open(shelf)).put(app.wasm, fresh);
    }
    localStorage[hint] = shelf;
  } catch {}
} catch (error) {
  failed(error);
  throw error;
}
