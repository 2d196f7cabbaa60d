// Live pages, step 1: on every page with code cells, a "Live code" button at the top.
// This file is all that loads before the reader presses it; live.js and the runtime come after.
(function () {
  const meta = document.querySelector('meta[name="live-cells"]');
  const script = document.currentScript;
  const STORE = "micrograd-book:live:"; // storage.js keeps the reader's work under these keys

  function stored(page) {
    try { return JSON.parse(localStorage.getItem(STORE + page) || "null"); } catch (error) { return null; }
  }

  // The table of contents: "✓ 2 of 3" beside each chapter whose exercises the reader passed here.
  function showProgress() {
    const counts = document.querySelector('meta[name="live-exercises"]');
    if (!counts) return;
    const root = new URL(document.documentElement.dataset.content_root || "./", location.href).pathname;
    const total = JSON.parse(counts.content);
    for (const a of document.querySelectorAll("nav a.reference.internal, .bd-sidebar a.reference.internal")) {
      const path = new URL(a.href, location.href).pathname;
      if (!path.startsWith(root) || !path.endsWith(".html")) continue;
      const page = path.slice(root.length, -".html".length);
      const passed = Object.keys((stored(page) || {}).passed || {}).length;
      if (!total[page] || !passed || a.querySelector(".live-progress")) continue;
      const badge = document.createElement("span");
      badge.className = "live-progress";
      badge.textContent = ` ✓ ${Math.min(passed, total[page])}/${total[page]}`;
      badge.title = `${passed} of this chapter's ${total[page]} exercises passed in this browser`;
      a.append(badge);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showProgress);
  else showProgress();
  if (!meta || !script) return;
  const base = new URL(".", script.src).href; // .../_static/live/

  function setup() {
    const article = document.querySelector("article.bd-article") || document.querySelector("main");
    if (!article) return;
    const bar = document.createElement("div");
    bar.className = "live-bar";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "live-toggle";
    const status = document.createElement("span");
    status.className = "live-status";
    status.setAttribute("role", "status");
    bar.append(button, status);
    const heading = article.querySelector("h1");
    if (heading) heading.after(bar);
    else article.prepend(bar);

    if (location.protocol === "file:") {
      // Browsers refuse to load Pyodide's modules from file:// pages.
      button.textContent = "Live code needs a web server: this page was opened as a file " +
        "(run `make serve` and open http://127.0.0.1:8000)";
      button.disabled = true;
      return;
    }
    const lacking = document.querySelector('meta[name="live-none-runs"]');
    if (lacking) {
      // Nothing on this page can run in the browser: say so, and load nothing.
      bar.removeChild(button);
      status.removeAttribute("role");
      status.className = "live-note live-static";
      status.textContent = "The code on this page needs " + lacking.content + ", which the browser " +
        "does not have: its outputs were computed when the book was built. Open it in Binder to run it.";
      return;
    }
    button.textContent = "Live code: edit and run this page's cells in your browser";
    const kept = stored(meta.content.replace(/\.json$/, ""));
    if (kept && Object.keys(kept.cells).length) {
      status.textContent = `Your edits to ${Object.keys(kept.cells).length} cell(s) of this page are kept ` +
        "in this browser: Live code brings them back.";
    }
    // Python starts on the first sign of intent (the pointer on Live, or the keyboard's focus),
    // so that it is loading while the reader clicks; nothing loads before.
    const warm = () => import(base + "live.js").then((live) => live.warm(base)).catch(() => {});
    button.addEventListener("pointerenter", warm, { once: true });
    button.addEventListener("focus", warm, { once: true });
    // aria-disabled, not disabled, once pressed: the keyboard focus stays on the button
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      status.textContent = "Loading the editor…";
      import(base + "live.js")
        .then((live) => live.start({ base, pageUrl: base + "pages/" + meta.content, bar, button, status }))
        .catch((error) => {
          button.removeAttribute("aria-disabled");
          status.textContent = "Live code could not start: " + error.message;
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
