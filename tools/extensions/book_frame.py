"""Small Sphinx tweaks for the book's frame, loaded from _config.yml (sphinx.local_extensions).

- Every page used to log "Identifier 'THEBE_JS_URL' has already been declared": the theme stack
  registers sphinx-thebe's inline config script (and sphinx-togglebutton's) twice, once with
  filename None and once with "", so Sphinx's own de-duplication misses them, and a second
  `const` declaration is a JavaScript error. We drop duplicate <script> entries on every page.
- The root index.html that sphinx-external-toc writes (a redirect to the first chapter) has no
  <head> links, so browsers ask the server for /favicon.ico and log a 404: we add the book's icon.
- The repository, issue and Binder links name the repository the book is built from: in GitHub
  Actions GITHUB_REPOSITORY, locally the `origin` remote if it is on GitHub, else _config.yml's
  `repository.url`. A fork publishes correct links without editing a file.
- A `book/<chapter>.ipynb` beside its `.md` (what `jupytext --to ipynb` writes) is a copy, not a
  second chapter: it is excluded (Sphinx would stop on "multiple files found"), and the Binder
  link keeps pointing at the `.md` that the repository holds.
- The download button offers the executed notebook: myst-nb writes the notebook without outputs
  when they come from the execution cache, so we merge them back in from the cache.
- The status page says "passed"/"failed" in words: its check-mark emoji drew an empty box where
  no emoji font is installed.
- A wider article column (static/book-frame.css), so code of ~90 characters fits at 1280 px.
- The status page's reading-time table: when the build has written every page, each page's
  reading time is measured on its HTML (tools/scripts/reading_time.py, the script the tests run)
  and written into status.html between the markers that book/status.md leaves, together with
  what each page measured at build: the values it published whose names say they are times
  (``..._ms``, ``ms_...``, ``..._seconds``, ``..._us``) or speed ratios (``...speedup...``).
- The introduction's facts about the whole book, written into intro.html the same way once every
  page is built (so a cached build, which does not re-run the introduction, still shows the book
  as it is now): the pages of a part of _toc.yml (``<!-- toc-part: Part 3 -->``) and which pages
  run live in the browser, by the live pages' own analysis (``<!-- live-pages -->``).
"""

import html
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import nbformat

GITHUB_REMOTE = re.compile(r"^(?:https://|ssh://git@|git@)github\.com[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


def repository_url(configured, root=".", environ=os.environ):
    """The repository the book is built from, as https://github.com/<owner>/<repo>.

    GITHUB_REPOSITORY (set by GitHub Actions), else the `origin` remote of the git checkout at
    `root` if it is on GitHub, else `configured` (_config.yml's repository.url).
    """
    if environ.get("GITHUB_REPOSITORY"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{environ['GITHUB_REPOSITORY']}"
    try:
        remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        remote = ""
    match = GITHUB_REMOTE.match(remote)
    if match:
        return f"https://github.com/{match.group(1)}/{match.group(2)}"
    return configured


def use_the_repository_we_are_in(app, config):
    options = config.html_theme_options
    options["repository_url"] = repository_url(options.get("repository_url", ""), root=app.srcdir)


def exclude_jupytext_copies(app, config):
    """Exclude every <name>.ipynb that sits beside a <name>.md: a jupytext copy of a chapter."""
    source = Path(app.srcdir)
    for notebook in source.glob("book/**/*.ipynb"):
        if notebook.with_suffix(".md").exists():
            config.exclude_patterns.append(notebook.relative_to(source).as_posix())


def launch_links_to_the_md(app, pagename, templatename, context, doctree):
    """The theme points Binder at <page>.ipynb whenever one exists locally; the repository has the .md."""
    source = Path(app.srcdir, pagename + ".md")
    if not source.with_suffix(".ipynb").exists():
        return
    stray, wanted = f"{pagename}.ipynb", f"{pagename}.md"
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                button["url"] = button.get("url", "").replace(stray, wanted)


def executed_notebook_for_download(app, pagename, templatename, context, doctree):
    """Put the cached outputs into jupyter_execute/<page>.ipynb, which the theme offers for download."""
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not path.exists():
        return
    notebook = nbformat.read(path, as_version=4)
    if any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
        return  # executed in this build: the outputs are already there
    from jupyter_cache import get_cache

    cache_path = app.env.mystnb_config.execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    try:
        _, merged = get_cache(str(cache_path)).merge_match_into_notebook(notebook)
    except KeyError:
        return  # not in the cache (execution off for this page)
    nbformat.write(merged, path)


def status_in_words(app):
    """The execution table on the status page: "passed"/"failed" instead of emoji."""
    from myst_nb.ext import execution_tables

    execution_tables._key2transform["succeeded"] = lambda ok: "passed" if ok is True else "failed"


def _script_key(script):
    # An inline script is registered once with filename None and once with "": same script.
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def add_favicon_to_redirect(app, exception):
    index = os.path.join(app.outdir, "index.html")
    favicon = app.config.html_favicon
    if exception or not favicon or not os.path.exists(index):
        return
    with open(index, encoding="utf-8") as f:
        html = f.read()
    if 'rel="icon"' in html or "http-equiv" not in html:
        return  # not the redirect page, or already done
    link = f'<link rel="icon" href="_static/{os.path.basename(favicon)}">'
    html = re.sub(r"(<head>)", r"\1" + link, html, count=1) if "<head>" in html else link + html
    with open(index, "w", encoding="utf-8") as f:
        f.write(html)


def add_frame_stylesheet(app, config):
    """The frame's CSS (tools/extensions/static/book-frame.css): a wider article column."""
    config.html_static_path.append(os.path.join(os.path.dirname(__file__), "static"))
    app.add_css_file("book-frame.css")


READING_TIMES = re.compile(r"(<!-- reading-times -->).*?(<!-- /reading-times -->)", re.S)
TIMING_NAME = re.compile(r"(^|_)(ms|us|seconds)(_|$)|speedup")


def _reading_time_module():
    path = Path(__file__).resolve().parents[1] / "scripts" / "reading_time.py"
    spec = importlib.util.spec_from_file_location("reading_time", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measured_at_build(glue_file):
    """[(name, text)] of the timings and speed ratios a page published (its <page>.glue.json)."""
    try:
        glued = json.loads(Path(glue_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for name, output in glued.items():
        text = output.get("data", {}).get("text/plain")
        if not TIMING_NAME.search(name) or text is None:
            continue
        try:
            number = float(text)
        except ValueError:
            continue
        unit = (" ms" if re.search(r"(^|_)ms(_|$)", name) else " µs" if re.search(r"(^|_)us(_|$)", name)
                else " s" if "seconds" in name else "×")
        found.append((name, f"{number:,.3g}{unit}" if abs(number) < 100 else f"{number:,.0f}{unit}"))
    return found


def reading_times_table(app):
    """The HTML table of the status page: reading time and build measurements of every page."""
    reading_time = _reading_time_module()
    outdir, srcdir = Path(app.outdir), Path(app.srcdir)
    execute_dir = outdir.parent / "jupyter_execute"
    readings = reading_time.measure_book(outdir, root=srcdir)
    rows = []
    for docname, reading in zip([d for d in reading_time.toc_pages(srcdir) if (outdir / f"{d}.html").exists()],
                                readings):
        title = app.env.titles[docname].astext() if docname in app.env.titles else reading.page
        href = os.path.relpath(outdir / f"{docname}.html", (outdir / "book/status.html").parent)
        flag = " (over budget)" if reading.minutes > reading_time.BUDGET_MINUTES else ""
        measured = measured_at_build(execute_dir / f"{docname}.glue.json")
        rows.append(
            f'<tr><td><a href="{html.escape(href)}">{html.escape(title)}</a></td>'
            f"<td>{reading.minutes:.1f}{flag}</td><td>{reading.prose_words:,}</td><td>{reading.code_lines:,}</td>"
            f"<td>{'; '.join(f'<code>{html.escape(n)}</code> {html.escape(v)}' for n, v in measured) or '–'}</td></tr>")
    total = sum(r.minutes for r in readings)
    return (
        '<div class="pst-scrollable-table-container"><table class="table" id="reading-times">'
        "<thead><tr><th>Page</th><th>Reading (min)</th><th>Prose words</th><th>Code lines shown</th>"
        "<th>Measured at build (CPU times, speed ratios)</th></tr></thead><tbody>" + "".join(rows) +
        f"<tr><td><strong>Whole book</strong></td><td><strong>{total:.0f}</strong> ({total / 60:.1f} h)</td>"
        f"<td>{sum(r.prose_words for r in readings):,}</td><td>{sum(r.code_lines for r in readings):,}</td>"
        "<td></td></tr></tbody></table></div>")


TOC_PART = re.compile(r"(<!-- toc-part: ([^>]*?) -->).*?(<!-- /toc-part -->)", re.S)
LIVE_PAGES = re.compile(r"(<!-- live-pages -->).*?(<!-- /live-pages -->)", re.S)
LIBRARY_NAMES = {"numpy": "NumPy"}


def _page_link(app, docname, from_docname):
    outdir = Path(app.outdir)
    href = os.path.relpath(outdir / f"{docname}.html", (outdir / f"{from_docname}.html").parent)
    title = app.env.titles[docname].astext() if docname in app.env.titles else docname
    return f'<a class="reference internal" href="{html.escape(href)}">{html.escape(title)}</a>'


def toc_part_html(app, caption, from_docname):
    """A list of links to the chapters of the _toc.yml part whose caption starts with `caption`."""
    import yaml

    toc = yaml.safe_load((Path(app.srcdir) / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        if part.get("caption", "").startswith(caption):
            docnames = [re.sub(r"\.(md|ipynb)$", "", c["file"]) for c in part.get("chapters", [])]
            return "<ul>" + "".join(f"<li><p>{_page_link(app, d, from_docname)}</p></li>" for d in docnames) + "</ul>"
    return f"<p>(no part {html.escape(caption)} in _toc.yml)</p>"


def live_pages_html(app, from_docname):
    """Which pages' shown cells all run in the browser, and for the others how many need Jupyter
    and why: tools/extensions/live_analysis.py over every page's code cells, as the live pages run them."""
    reading_time = _reading_time_module()
    spec = importlib.util.spec_from_file_location("live_analysis", Path(__file__).with_name("live_analysis.py"))
    live_analysis = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live_analysis)
    srcdir = Path(app.srcdir)
    heavy_modules = live_analysis.package_modules_needing(srcdir / "micrograd", "micrograd")
    all_live, partly = [], []
    for docname in reading_time.toc_pages(srcdir):
        source = srcdir / f"{docname}.md"
        if not source.exists():
            continue
        cells = reading_time.code_cells(source.read_text(encoding="utf-8"))
        found = live_analysis.analyse([(i, c.source, {"tags": c.tags}) for i, c in enumerate(cells)], heavy_modules)
        shown = [f for f, c in zip(found, cells) if not {"remove-cell", "remove-input"} & set(c.tags)]
        if not shown:
            continue
        needing = [f for f in shown if f["needs"]]
        link = _page_link(app, docname, from_docname)
        if needing:
            libraries = sorted({LIBRARY_NAMES.get(n, n) for f in needing for n in f["needs"]}, key=str.lower)
            partly.append(f"<tr><td>{link}</td><td>{len(needing)} of {len(shown)}</td>"
                          f"<td>{html.escape(', '.join(libraries))}</td></tr>")
        else:
            all_live.append(link)
    return (f"<p>Every shown cell runs in your browser on these pages: {', '.join(all_live)}. On the "
            "others, some cells need Jupyter (Binder or a local copy):</p>"
            '<div class="pst-scrollable-table-container"><table class="table" id="live-pages"><thead><tr>'
            "<th>page</th><th>cells that need Jupyter</th><th>because they use</th></tr></thead><tbody>"
            + "".join(partly) + "</tbody></table></div>")


def write_book_facts(app, exception):
    """Fill the marked regions of the pages (intro: parts of the book, live pages) once all are built."""
    if exception or app.builder.format != "html":
        return
    for path in Path(app.outdir).glob("book/*.html"):
        page = path.read_text(encoding="utf-8")
        if "<!-- toc-part: " not in page and "<!-- live-pages -->" not in page:
            continue
        docname = path.relative_to(app.outdir).with_suffix("").as_posix()
        page = TOC_PART.sub(lambda m: m.group(1) + toc_part_html(app, m.group(2), docname) + m.group(3), page)
        page = LIVE_PAGES.sub(lambda m: m.group(1) + live_pages_html(app, docname) + m.group(2), page)
        path.write_text(page, encoding="utf-8")


def write_reading_times(app, exception):
    """Fill the status page's reading-time table once every page is written."""
    status = Path(app.outdir) / "book" / "status.html"
    if exception or app.builder.format != "html" or not status.exists():
        return
    page = status.read_text(encoding="utf-8")
    if not READING_TIMES.search(page):
        return
    table = reading_times_table(app)
    status.write_text(READING_TIMES.sub(lambda m: m.group(1) + table + m.group(2), page, count=1),
                      encoding="utf-8")


def setup(app):
    app.connect("config-inited", add_frame_stylesheet)
    app.connect("config-inited", use_the_repository_we_are_in)
    app.connect("config-inited", exclude_jupytext_copies)
    app.connect("builder-inited", status_in_words)
    # before the theme's launch buttons (priority 501), which copy the notebook for download
    app.connect("html-page-context", executed_notebook_for_download, priority=450)
    app.connect("html-page-context", launch_links_to_the_md, priority=600)
    # priority > 500 (the default): run after the extensions that add page-specific scripts
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    # after sphinx-external-toc has written the redirect (default priority 500)
    app.connect("build-finished", add_favicon_to_redirect, priority=900)
    app.connect("build-finished", write_reading_times, priority=950)
    app.connect("build-finished", write_book_facts, priority=940)  # before the reading times
    return {"parallel_read_safe": True, "parallel_write_safe": True}
