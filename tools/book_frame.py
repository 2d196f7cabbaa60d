"""Small Sphinx tweaks for the book's frame, loaded from _config.yml (sphinx.local_extensions).

- Every page used to log "Identifier 'THEBE_JS_URL' has already been declared": the theme stack
  registers sphinx-thebe's inline config script (and sphinx-togglebutton's) twice, once with
  filename None and once with "", so Sphinx's own de-duplication misses them, and a second
  `const` declaration is a JavaScript error. We drop duplicate <script> entries on every page.
- The root index.html that sphinx-external-toc writes (a redirect to the first chapter) has no
  <head> links, so browsers ask the server for /favicon.ico and log a 404: we add the book's icon.
"""

import os
import re


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


def setup(app):
    # priority > 500 (the default): run after the extensions that add page-specific scripts
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    # after sphinx-external-toc has written the redirect (default priority 500)
    app.connect("build-finished", add_favicon_to_redirect, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
