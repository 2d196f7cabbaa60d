// Live pages, step 1: on every page with code cells, a "Live code" button at the top.
// This file is all that loads before the reader presses it; live.js and the runtime come after.
(function () {
  const meta = document.querySelector('meta[name="live-cells"]');
  const script = document.currentScript;
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
