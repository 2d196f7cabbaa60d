"""Execute the book's notebooks several at a time, before Sphinx reads them.

Jupyter Book 1 runs Sphinx with one process, and myst-nb executes each notebook when Sphinx
reads it: one chapter after another, one CPU core busy. With `execute_notebooks: cache`, a
notebook whose code is already in the execution cache is not run again. So, before reading,
this extension finds the notebooks that are about to be read and are not in the cache, runs
them in a pool of processes (one per core), and stores each successful result in the cache
exactly as myst-nb would (same reader, same hash, same working directory, timeout and
execution-time record). myst-nb then takes them from the cache.

A notebook that fails here is simply not cached: myst-nb runs it again itself and reports the
error as usual, so a broken chapter still fails the strict build with its traceback.
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from sphinx.util import logging

from notebook_pages import is_notebook  # beside this file (on sys.path as a local extension)

logger = logging.getLogger(__name__)


def _execute(notebook_json, cwd, timeout, allow_errors):
    """Run in a worker process: execute one notebook, return it (as JSON) and its time."""
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = nbformat.reads(notebook_json, as_version=4)
    result = single_nb_execution(notebook, cwd=cwd, timeout=timeout, allow_errors=allow_errors,
                                 meta_override=True)
    failed = result.err is not None
    return nbformat.writes(result.nb), result.time, failed


def _stale_notebooks(env, cache, docnames):
    """The (path, notebook, read format) of each notebook about to be read and not cached."""
    from myst_nb.core.read import create_nb_reader

    stale = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if not is_notebook(path):
            continue  # a plain Markdown page
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
        notebook = reader.read(text)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            stale.append((path, notebook, reader.read_fmt))
    return stale


def execute_stale_notebooks(app, env, docnames):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = env.mystnb_config
    if config.execution_mode != "cache" or config.execution_in_temp:
        return
    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    stale = _stale_notebooks(env, cache, docnames)
    workers = min(len(stale), os.cpu_count() or 1)
    if workers < 2:
        return  # nothing to gain: myst-nb executes it as usual
    logger.info(f"executing {len(stale)} notebooks, {workers} at a time")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = []
        for path, notebook, _ in stale:
            logger.info(f"{path}: Executing notebook (in a pool of {workers})")
            futures.append(pool.submit(_execute, nbformat.writes(notebook), str(path.parent),
                                       config.execution_timeout, config.execution_allow_errors))
        for (path, _, read_fmt), future in zip(stale, futures):
            executed_json, seconds, failed = future.result()
            if failed:
                logger.info(f"{path}: failed in the pool; myst-nb runs it again to report why")
                continue
            record = (cache.add_nb_to_project(str(path), read_data=read_fmt) if read_fmt
                      else cache.add_nb_to_project(str(path)))
            bundle = CacheBundleIn(nbformat.reads(executed_json, as_version=4), record.uri,
                                   data={"execution_seconds": seconds})
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
    logger.info(f"executed {len(stale)} notebooks in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.connect("env-before-read-docs", execute_stale_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
