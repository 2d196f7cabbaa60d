"""Displaying a cell's outputs in the live pages' worker.

A cell's outputs are collected in order as JSON-ready dicts: printed text (`stdout`, `stderr`), the
repr of its last value (`result`), Graphviz graphs as SVG (`svg`, drawn by Graphviz compiled to
WebAssembly, handed in by worker.js) and micrograd's FramePlayer as its frames (`player`). The page
(output.js) inserts text as text and sanitises SVG; nothing here is trusted markup.
"""

import html.parser
import io
import sys
import time

STREAM_EVERY_S = 0.2  # printed text reaches the page at most this often while a cell runs
MAX_CHARACTERS = 100_000  # of text per cell: more would make a page hundreds of thousands of pixels tall

_render_svg = None  # set by cells.setup: (dot source, engine) -> SVG text


class Capture:
    """One cell's outputs. Printed text is kept as a list of pieces and joined once at the end:
    appending to one string would make a loop of prints quadratic."""

    def __init__(self, limit=MAX_CHARACTERS):
        self.items = []
        self.room = limit
        self.dropped = 0
        self.unsent = []      # printed text not yet handed to on_text: [(kind, [pieces])]
        self.sent_at = 0.0

    def stream(self, kind, text):
        """Hand printed text to on_text (the page shows it while the cell runs), in batches at
        most every STREAM_EVERY_S: a loop of many prints sends a few messages, not one each."""
        if self.unsent and self.unsent[-1][0] == kind:
            self.unsent[-1][1].append(text)
        else:
            self.unsent.append((kind, [text]))
        now = time.monotonic()
        if now - self.sent_at >= STREAM_EVERY_S:
            self.sent_at = now
            for unsent_kind, pieces in self.unsent:
                on_text(unsent_kind, "".join(pieces))
            self.unsent = []

    def text(self, kind, text):
        if not text:
            return
        if len(text) > self.room:
            self.dropped += len(text) - self.room
            text = text[:self.room]
            if not text:
                return
        self.room -= len(text)
        last = self.items[-1] if self.items else None
        if last is not None and last["kind"] == kind and "pieces" in last:
            last["pieces"].append(text)
        else:
            self.items.append({"kind": kind, "pieces": [text]})

    def add(self, item):
        if "text" in item:
            self.text(item["kind"], item["text"])
        else:
            self.items.append(item)

    def finish(self):
        """The outputs as JSON-ready dicts, with a note if some text was left out."""
        for item in self.items:
            if "pieces" in item:
                item["text"] = "".join(item.pop("pieces"))
        if self.dropped:
            self.items.append({"kind": "truncated", "text": (
                f"… and {self.dropped:,} more characters, not shown: a live cell shows the first "
                f"{MAX_CHARACTERS:,} characters of its output.")})
        return self.items


current = None  # the Capture of the cell being run, None between cells
on_text = None  # set by cells.setup: (kind, text) -> None, shows printed text while the cell runs


class Stream(io.TextIOBase):
    """sys.stdout / sys.stderr while the worker runs: text goes to the current cell's outputs."""

    def __init__(self, kind):
        self.kind = kind

    def writable(self):
        return True

    def write(self, text):
        if current is not None:
            room = current.room
            current.text(self.kind, text)
            kept = room - current.room  # the cap applies to what is shown while it runs too
            if on_text is not None and kept:  # a long loop's progress, seen as it is printed
                current.stream(self.kind, text[:kept])
        return len(text)


class _TextOnly(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def strip_tags(markup):
    parser = _TextOnly()
    parser.feed(markup)
    return "".join(parser.parts)


class _Shown:
    def __init__(self, data="", **kwargs):
        self.data = data

    def __repr__(self):
        return str(self.data)


class Markdown(_Shown):
    """IPython.display.Markdown in the browser: shown as its text."""


class HTML(_Shown):
    """IPython.display.HTML in the browser: shown as its text, tags removed."""


def svg_of(dot_source, engine="dot"):
    if _render_svg is None:
        raise RuntimeError("Graphviz is not loaded in this worker")
    return str(_render_svg(dot_source, engine or "dot"))


def _is_graphviz(obj):
    return type(obj).__module__.split(".")[0] == "graphviz" and hasattr(obj, "source")


def _is_player(obj):
    player = sys.modules.get("micrograd.player")
    return player is not None and isinstance(obj, player.FramePlayer)


def rich(obj):
    """One output for a displayed object."""
    if _is_graphviz(obj):
        return {"kind": "svg", "svg": svg_of(obj.source, getattr(obj, "engine", "dot"))}
    if _is_player(obj):
        # the page builds the same player as the built book's, from the frames (each sanitised)
        return {"kind": "player", "frames": list(obj.frames), "captions": list(obj.captions),
                "title": obj.title, "interval_ms": obj.interval_ms}
    if isinstance(obj, Markdown):
        return {"kind": "result", "text": str(obj.data)}
    if isinstance(obj, HTML):
        return {"kind": "result", "text": strip_tags(str(obj.data))}
    return {"kind": "result", "text": repr(obj)}


def display(*objs, **kwargs):
    """IPython.display.display in the browser."""
    for obj in objs:
        if current is not None:
            current.add(rich(obj))


def graph_of(value):
    """For the playground's `live-graph` cell: the computation graph of a micrograd Value, else None."""
    engine = sys.modules.get("micrograd.engine")
    if engine is None or not isinstance(value, engine.Value):
        return None
    from micrograd.draw import draw_dot
    return rich(draw_dot(value))
