// Live pages, step 2 (loaded by boot.js on the first click): turns the page's code cells into
// editors with Run / Stop (and Check for exercises), runs them in the worker in page order.
//
// The page's cells come from pages/<page>.json, written at build time (tools/book_live.py):
// hidden cells included, so that running a cell can first replay the cells above it that have
// not run yet, like a notebook run from the top. Cells the browser cannot run (they use numpy,
// matplotlib, ...) keep what the build computed and say so. Exercise solutions and checks are
// never replayed: Check runs the reader's starter, then the check.
import { Kernel } from "./kernel.js";
import { renderResult, note } from "./output.js";
import { PageStore } from "./storage.js";

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function listOf(names) {
  return names.length <= 1 ? names.join("") : names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
}

class LivePage {
  constructor(page, kernel) {
    this.page = page;
    this.kernel = kernel;
    this.store = new PageStore(page.page);
    this.ran = new Set();
    this.generation = kernel.generation;
    this.queue = Promise.resolve();
    this.binder = document.querySelector("a[href*='/v2/gh/']");
    // Cells are numbered as the reader sees them: the code cells shown on the page, 1, 2, 3...
    // (hidden cells have no number: they are named "a hidden cell" in tracebacks)
    let ordinal = 0;
    this.cells = page.cells.map((data) => ({
      data, ordinal: data.shown && data.input_shown ? ++ordinal : null, el: null, editor: null, out: null,
    }));
  }

  nameOf(cell) {
    return cell.ordinal ? `cell ${cell.ordinal}` : "a hidden cell";
  }

  isStatic(cell) {
    return cell.data.needs.length > 0 || cell.data.static !== null;
  }

  // Replayed before a later cell runs: live cells, and the parts of the other cells that the
  // browser can run (`replay`: the statements that need nothing it lacks), so the names they
  // define exist. Exercise solutions and checks never.
  replayable(cell) {
    if (cell.data.role === "solution" || cell.data.role === "check") return false;
    return !this.isStatic(cell) || typeof cell.data.replay === "string";
  }

  checkerOf(cell) {
    return this.cells.find((c) => c.data.role === "check" && c.data.exercise === cell.data.exercise
      && !this.isStatic(c));
  }

  attach() {
    for (const cell of this.cells) {
      if (!cell.data.shown) continue;
      cell.el = document.querySelector(`.live-cell-${cell.data.index}`);
      if (!cell.el) continue;
      if (this.isStatic(cell)) this.markStatic(cell);
      else if (cell.data.input_shown) this.makeLive(cell);
    }
  }

  markStatic(cell) {
    const needs = cell.data.needs.filter((n) => n !== "the build");
    let text = "Computed when the book was built";
    if (needs.length) text += `; needs ${listOf(needs)}`;
    else if (cell.data.static === "syntax") text += "; uses IPython syntax";
    text += ": open this chapter in Binder to run it.";
    const p = document.createElement("p");
    p.className = "live-note live-static";
    p.textContent = text + " ";
    if (this.binder) {
      const a = document.createElement("a");
      a.href = this.binder.href;
      a.textContent = "Open in Binder";
      p.appendChild(a);
    }
    const input = cell.el.querySelector(".cell_input");
    if (input) input.after(p);
    else cell.el.prepend(p);
  }

  makeLive(cell) {
    const input = cell.el.querySelector(".cell_input");
    if (!input) return;
    const shown = input.querySelector("div.highlight");
    const host = document.createElement("div");
    host.className = "live-editor";
    if (shown) {
      shown.hidden = true;
      shown.after(host);
    } else input.appendChild(host);
    const kept = this.store.edited(cell.data);
    let saving = null;
    cell.editor = window.LiveEditor.create(host, kept ?? cell.data.source.replace(/\s+$/, ""), {
      onRun: () => this.run(cell),
      label: `Code cell ${cell.ordinal}, editable`,
      describedBy: "live-keys",
      onChange: () => {  // kept in this browser, a moment after the last key
        clearTimeout(saving);
        saving = setTimeout(() => this.keep(cell), 300);
      },
    });
    const tools = document.createElement("div");
    tools.className = "live-tools";
    cell.runButton = button("Run", "live-run", () => this.run(cell));
    cell.runButton.setAttribute("aria-label", `Run cell ${cell.ordinal} (Shift+Enter)`);
    cell.stopButton = button("Stop", "live-stop", () => this.stop(cell));
    cell.stopButton.setAttribute("aria-label", `Stop cell ${cell.ordinal}: restarts Python`);
    cell.stopButton.hidden = true;
    cell.resetButton = button("Reset", "live-reset", () => this.resetCell(cell));
    cell.resetButton.setAttribute("aria-label", `Reset cell ${cell.ordinal} to the book's code`);
    tools.append(cell.runButton, cell.stopButton, cell.resetButton);
    if (cell.data.role === "starter" && this.checkerOf(cell)) {
      cell.checkButton = button("Check", "live-check", () => this.run(cell, "check"));
      cell.checkButton.setAttribute("aria-label", `Check your answer to exercise ${cell.data.exercise}`);
      tools.append(cell.checkButton);
    }
    cell.keptNote = document.createElement("span");
    cell.keptNote.className = "live-kept";
    tools.append(cell.keptNote);
    host.after(tools);
    this.showKept(cell, kept !== null);
    cell.out = document.createElement("div");
    cell.out.className = "live-output";
    cell.out.setAttribute("role", "log");
    cell.out.setAttribute("aria-live", "polite");
    cell.out.setAttribute("aria-label", `Output of cell ${cell.ordinal}`);
    input.after(cell.out);
  }

  keep(cell) {
    const code = cell.editor.getCode();
    this.store.saveEdit(cell.data, code);
    this.showKept(cell, this.store.edited(cell.data) !== null);
  }

  showKept(cell, edited) {
    cell.resetButton.hidden = !edited;
    cell.keptNote.textContent = edited ? "Your edit, kept in this browser." : "";
  }

  resetCell(cell) {
    cell.editor.setCode(cell.data.source.replace(/\s+$/, ""));
    this.store.clearEdit(cell.data);
    this.showKept(cell, false);
    cell.runButton.focus(); // Reset hides itself
  }

  // Every editor back to the book's code, and the page's passed exercises forgotten.
  resetPage() {
    for (const cell of this.cells) {
      if (cell.editor) {
        cell.editor.setCode(cell.data.source.replace(/\s+$/, ""));
        this.showKept(cell, false);
      }
    }
    this.store.clear();
  }

  // The page's code as a Jupyter notebook (nbformat 4.5), the reader's edits included; hidden
  // cells keep their tags (remove-cell...), so it runs top to bottom as the chapter did.
  notebook() {
    const code = (cell) => (cell.editor ? cell.editor.getCode() : cell.data.source);
    const title = document.querySelector("h1")?.textContent.replace(/[#¶]\s*$/, "").trim() || this.page.page;
    const lines = (text) => text.split(/(?<=\n)/);
    return {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: "python3", display_name: "Python 3", language: "python" },
        language_info: { name: "python" },
      },
      cells: [
        { cell_type: "markdown", id: "title", metadata: {},
          source: lines(`# ${title}\n\nThe code of ${location.href.split("#")[0]}, with your edits, ` +
            "saved from its live page. The prose is on that page; cells tagged remove-cell are the ones it hides.") },
        ...this.cells.map((cell) => ({
          cell_type: "code", id: `cell-${cell.data.index}`, metadata: { tags: cell.data.tags },
          execution_count: null, outputs: [], source: lines(code(cell)),
        })),
      ],
    };
  }

  download() {
    const blob = new Blob([JSON.stringify(this.notebook(), null, 1)], { type: "application/x-ipynb+json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = this.page.page.split("/").pop() + ".ipynb";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  enqueue(job) {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => {});
    return next;
  }

  resetIfRestarted() {
    if (this.generation !== this.kernel.generation) {
      this.generation = this.kernel.generation;
      this.ran.clear();
    }
  }

  async exec(cell) {
    const code = cell.editor ? cell.editor.getCode() : this.isStatic(cell) ? cell.data.replay : cell.data.source;
    this.kernel.onText = cell.out ? (kind, text) => this.stream(cell, kind, text) : () => {};
    let result;
    try {
      result = await this.kernel.run(code, this.nameOf(cell), {
        graphValues: cell.data.tags.includes("live-graph"),
      });
    } finally {
      this.kernel.onText = () => {};
    }
    this.ran.add(cell.data.index);
    if (cell.out) {
      cell.out.replaceChildren();
      const built = cell.el && cell.el.querySelector(".cell_output");
      if (built) built.hidden = true;
      renderResult(cell.out, result);
      if (!result.error) note(cell.out, `Done in ${result.seconds.toFixed(2)} s.`, "live-done");
    }
    return result;
  }

  // What the cell prints while it runs (a training loop's progress), shown at once as text; the
  // complete outputs replace it when the cell ends.
  stream(cell, kind, text) {
    const built = cell.el && cell.el.querySelector(".cell_output");
    if (built) built.hidden = true;
    let block = cell.out.lastElementChild;
    if (!block || block.dataset.streaming !== kind) {
      block = document.createElement("pre");
      block.className = `live-${kind}`;
      block.dataset.streaming = kind;
      block.append(document.createTextNode(""));
      cell.out.appendChild(block);
    }
    block.firstChild.appendData(text);
  }

  // Run and Check say they are busy with aria-disabled, not `disabled`: a disabled button drops
  // the keyboard focus to the page's <body>; this one keeps it, and its clicks are ignored.
  setRunning(cell, running) {
    cell.running = running;
    for (const b of [cell.runButton, cell.checkButton]) if (b) b.setAttribute("aria-disabled", String(running));
    if (cell.stopButton) cell.stopButton.hidden = !running;
    if (cell.out) cell.out.setAttribute("aria-busy", String(running));
  }

  stop(cell) {
    this.kernel.restart();
    if (cell.runButton) cell.runButton.focus(); // Stop hides itself: keep the keyboard here
  }

  run(cell, mode = "run") {
    if (cell.running) return this.queue;
    this.setRunning(cell, true);
    cell.out.replaceChildren();
    note(cell.out, "Waiting…", "live-done");
    return this.enqueue(async () => {
      try {
        this.resetIfRestarted();
        cell.out.replaceChildren();
        if (!this.kernel.ready) this.kernel.start();
        const waiting = note(cell.out, "Starting Python…", "live-done");
        await this.kernel.ready;
        waiting.remove();
        if (!(await this.replayAbove(cell))) return;
        if (mode === "check") await this.check(cell);
        else await this.exec(cell);
      } catch (error) {
        if (error.stopped) {
          cell.out.replaceChildren();
          note(cell.out, "Stopped. Python was restarted, so this page's state was reset: " +
            "the next Run runs the cells above again first.", "live-warning");
        } else note(cell.out, "Python failed: " + error.message, "live-error-note");
        this.resetIfRestarted();
      } finally {
        this.setRunning(cell, false);
      }
    });
  }

  // Run the cells above `cell` that have not run in this Python yet. A cell that fails (it may
  // read a file of the repository, or rely on what the browser lacks) shows its traceback, if
  // it is on the page, and is noted here; the others still run, and so does `cell`.
  async replayAbove(cell) {
    const above = this.cells.filter((c) => c.data.index < cell.data.index && this.replayable(c)
      && !this.ran.has(c.data.index));
    if (!above.length) return true;
    const progress = note(cell.out, `Running ${above.length} cell(s) above first…`, "live-done");
    const failed = [];
    for (const c of above) {
      const result = await this.exec(c);
      if (result.error) failed.push(`${this.nameOf(c)} raised ` +
        `${result.error.type}: ${result.error.message}`);
    }
    progress.remove();
    for (const f of failed) note(cell.out, `Note: ${f}. What depends on it may fail too.`, "live-warning");
    return true;
  }

  async check(cell) {
    const result = await this.exec(cell);
    if (result.error) {
      note(cell.out, "Your code raised an error (above): fix it, then Check again.", "live-fail");
      return;
    }
    const checker = this.checkerOf(cell);
    if (!checker) {
      note(cell.out, "This exercise has no automatic check.", "live-note");
      return;
    }
    const verdict = await this.kernel.run(checker.data.source, `check of ${cell.data.exercise}`);
    if (!verdict.error) {
      note(cell.out, "✓ Check passed: well done.", "live-pass");
      this.store.pass(cell.data.exercise);
    }
    else if (verdict.error.type === "AssertionError") {
      note(cell.out, "✗ Not yet: " + (verdict.error.message || "the check failed."), "live-fail");
    } else note(cell.out, `✗ The check raised ${verdict.error.type}: ${verdict.error.message}`, "live-fail");
  }
}

// The page's kernel, made on the reader's first sign of intent (hover or focus of Live: boot.js
// calls warm) so that Python starts while they move to click; start() reuses it.
let kernel = null;

export function warm(base) {
  if (!kernel) {
    kernel = new Kernel(base);
    kernel.start().catch(() => {});
  }
  return kernel;
}

export async function start({ base, pageUrl, button: liveButton, status }) {
  warm(base); // the worker starts now, in parallel with the editors below
  Object.assign(kernel, {
    onProgress: (text) => { status.textContent = text; },
    onReady: (info) => { status.textContent = `Python ${info.python} with micrograd is ready.`; },
    onFail: (error) => { status.textContent = "Python could not start: " + error.message; },
  });
  const [page] = await Promise.all([
    fetch(pageUrl).then((r) => {
      if (!r.ok) throw new Error(`${r.status} for ${pageUrl}`);
      return r.json();
    }),
    loadScript(base + "editor.js"),
  ]);
  const live = new LivePage(page, kernel);
  live.attach();
  const keys = document.createElement("p");
  keys.id = "live-keys";
  keys.className = "live-help";
  keys.textContent = "Shift+Enter runs the cell you are in. In an editor, Tab indents: " +
    "press Esc, then Tab, to move on to the next button. Your edits and passed exercises are kept " +
    "in this browser only.";
  const resetPage = button("Reset this page", "live-page-button", () => live.resetPage());
  resetPage.setAttribute("aria-label", "Reset this page: every cell back to the book's code, its exercises unpassed");
  const download = button("Download as notebook", "live-page-button", () => live.download());
  download.setAttribute("aria-label", "Download this page's code, with your edits, as a Jupyter notebook (.ipynb)");
  status.after(resetPage, download, keys);
  liveButton.textContent = "Live code is on";
  // the worker may be ready already (started on hover): say so, else say it is starting
  kernel.ready.then((info) => kernel.onReady(info), () => {});
  if (!/ready/.test(status.textContent)) status.textContent = "Starting Python…";
  const demo = document.querySelector("[data-live-moons]");
  if (demo) import(base + "moons.js").then((m) => m.mount(demo, kernel));
  window.liveBook = live; // for the tests and the curious
  return live;
}
