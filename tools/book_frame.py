"""Small Sphinx tweaks for the book's frame, loaded from _config.yml (sphinx.local_extensions).

- Every page used to log "Identifier 'THEBE_JS_URL' has already been declared": the theme stack
  registers sphinx-thebe's inline config script (and sphinx-togglebutton's) twice, once with
  filename None and once with "", so Sphinx's own de-duplication misses them, and a second
  `const` declaration is a JavaScript error. We drop duplicate <script> entries on every page.
"""


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


def setup(app):
    # priority > 500 (the default): run after the extensions that add page-specific scripts
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
