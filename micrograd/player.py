"""A frame player that works on a static web page: no kernel, no external scripts.

Frames are HTML snippets (an inline SVG, an <img>); the player shows one at a
time with first / previous / play / next / last buttons and a slider, all
keyboard-usable, a frame counter ("3 / 11") and the frame's caption under it.
"""

import base64
import html
import io
import itertools
import numbers

_ids = itertools.count(1)

# Latin-1 glyphs and words: every font has them (media-control symbols often
# render as empty boxes).
_BUTTONS = (("first", "first frame", "&laquo;"),
            ("prev", "previous frame", "&lsaquo;"),
            ("play", "play", None),  # two stacked labels, see _PLAY_LABELS
            ("next", "next frame", "&rsaquo;"),
            ("last", "last frame", "&raquo;"))

# Both labels sit in the same grid cell and only one is visible, so the button
# is always as wide as the wider word: it does not jump when Play turns to Pause.
_PLAY_LABELS = ('<span class="mg-play-label">Play</span>'
                '<span class="mg-pause-label" aria-hidden="true">Pause</span>')


class FramePlayer:
    """Displays as an interactive player in Jupyter and in the built book.

    `frames`: a list of HTML strings, one per frame; `captions`: one text per
    frame, shown under it; `title`: a label for the player (read by screen
    readers); `interval_ms`: the time between frames when playing.
    """

    def __init__(self, frames, captions=None, title="animation", interval_ms=700):
        self.frames = _strings(frames, "frames", "frame")
        if not self.frames:
            raise ValueError("FramePlayer needs at least one frame")
        if captions is None:
            self.captions = [""] * len(self.frames)
        else:
            self.captions = _strings(captions, "captions", "caption")
        if len(self.captions) != len(self.frames):
            raise ValueError(f"got {len(self.frames)} frames "
                             f"but {len(self.captions)} captions")
        if not isinstance(title, str):
            raise TypeError(f"FramePlayer's title must be a string, "
                            f"not {type(title).__name__}")
        self.title = title
        if isinstance(interval_ms, bool) or not isinstance(interval_ms, numbers.Real):
            raise TypeError(f"interval_ms must be a number of milliseconds, "
                            f"not {type(interval_ms).__name__}")
        if not interval_ms > 0:
            raise ValueError(f"interval_ms must be positive, got {interval_ms!r}")
        self.interval_ms = max(1, round(interval_ms))

    def _repr_html_(self):
        pid = f"mg-player-{next(_ids)}"
        n = len(self.frames)
        frames = "".join(
            f'<div class="mg-frame" data-caption="{html.escape(c)}"'
            f'{"" if i == 0 else " hidden"}>{f}</div>'
            for i, (f, c) in enumerate(zip(self.frames, self.captions)))
        buttons = "".join(
            f'<button type="button" data-action="{action}" aria-label="{label}" '
            f'title="{label}">{glyph or _PLAY_LABELS}</button>'
            for action, label, glyph in _BUTTONS)
        # The counter never changes width: room for "n / n" in digits of one width.
        counter_width = 2 * len(str(n)) + 3
        return f"""<div class="mg-player" id="{pid}" role="group" \
aria-label="{html.escape(self.title)}">
<div class="mg-frames">{frames}</div>
<div class="mg-controls"><div class="mg-buttons">{buttons}
<span class="mg-counter" aria-live="polite" style="min-width: {counter_width}ch">\
1 / {n}</span></div>
<input type="range" min="0" max="{n - 1}" value="0" aria-label="frame number"></div>
<p class="mg-caption">{html.escape(self.captions[0])}</p>
</div>
<script>
(function () {{
  const root = document.getElementById("{pid}");
  const frames = root.querySelectorAll(".mg-frame");
  const slider = root.querySelector("input");
  const counter = root.querySelector(".mg-counter");
  const caption = root.querySelector(".mg-caption");
  const play = root.querySelector('[data-action="play"]');
  let current = 0, timer = null;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach((f, k) => {{ f.hidden = k !== current; }});
    slider.value = current;
    counter.textContent = (current + 1) + " / " + frames.length;
    caption.textContent = frames[current].dataset.caption;
    root.dataset.frame = current;
  }}
  function setPlaying(playing) {{
    play.classList.toggle("mg-playing", playing);
    play.setAttribute("aria-label", playing ? "pause" : "play");
    play.title = playing ? "pause" : "play";
  }}
  function stop() {{ clearInterval(timer); timer = null; setPlaying(false); }}
  function start() {{
    if (current === frames.length - 1) show(0);
    setPlaying(true);
    timer = setInterval(() => {{
      if (current === frames.length - 1) stop(); else show(current + 1);
    }}, {self.interval_ms});
  }}
  const actions = {{
    first: () => {{ stop(); show(0); }},
    prev: () => {{ stop(); show(current - 1); }},
    next: () => {{ stop(); show(current + 1); }},
    last: () => {{ stop(); show(frames.length - 1); }},
    play: () => {{ if (timer) stop(); else start(); }},
  }};
  root.querySelectorAll("button").forEach(
    b => b.addEventListener("click", actions[b.dataset.action]));
  slider.addEventListener("input", () => {{ stop(); show(Number(slider.value)); }});
  show(0);
}})();
</script>
<style>{_CSS}</style>"""


# One copy per player is harmless: the rules are the same. The frames sit on a
# light panel, so graphs and plots drawn for a light page stay legible in the
# theme's dark mode; the buttons keep their own light colours for the same reason.
_CSS = """
.mg-player .mg-frames { background: #fff; border-radius: 4px; }
.mg-player .mg-frame svg, .mg-player .mg-frame img { max-width: 100%; height: auto; }
.mg-player .mg-controls { display: flex; flex-wrap: wrap; align-items: center;
  gap: .4rem .6rem; margin: .3rem 0; }
.mg-player .mg-buttons { display: flex; flex: none; align-items: center; gap: .3rem;
  white-space: nowrap; }
.mg-player button { flex: none; min-width: 2.2rem; padding: .15rem .4rem;
  border: 1px solid #767676; border-radius: 4px; background: #fff; color: #222;
  cursor: pointer; font: inherit; line-height: 1.4; }
.mg-player button[data-action="play"] { display: inline-grid; }
.mg-player button[data-action="play"] > span { grid-area: 1 / 1; }
.mg-player button[data-action="play"] .mg-pause-label,
.mg-player button.mg-playing .mg-play-label { visibility: hidden; }
.mg-player button.mg-playing .mg-pause-label { visibility: visible; }
.mg-player .mg-counter { flex: none; text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.mg-player input[type=range] { flex: 1 1 8rem; min-width: 6rem; margin: 0; }
.mg-player .mg-caption { font-size: .9rem; min-height: 1.3em; margin-top: .2rem; }
"""


def _strings(items, name, one):
    """`items` as a list of strings, or a TypeError that says what was wrong."""
    if isinstance(items, (str, bytes)):
        raise TypeError(f"FramePlayer's {name} must be a list of strings, one per "
                        f"frame, not a single {type(items).__name__} (which would "
                        f"make one frame per character): wrap it in a list")
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"FramePlayer's {name} must be a list of strings, "
                        f"not {type(items).__name__}") from None
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{one} {i} is a {type(item).__name__}, not a string")
    return items


def svg_frame(digraph):
    """A Graphviz graph as an inline-SVG frame (the XML prolog dropped, so it can sit in HTML)."""
    svg = digraph.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def figure_frame(fig, alt, dpi=80, pixel_ratio=1):
    """A matplotlib figure as an <img> frame (PNG, base64-encoded); `alt` describes it.

    With `pixel_ratio=2` the PNG has twice the pixels in each direction but is
    shown at the same size: sharp on high-density screens and when zoomed.
    """
    if not pixel_ratio >= 1:
        raise ValueError(f"pixel_ratio must be at least 1, got {pixel_ratio!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi * pixel_ratio, bbox_inches="tight")
    png = buffer.getvalue()
    data = base64.b64encode(png).decode("ascii")
    size = ""
    if pixel_ratio != 1:
        # A PNG's width and height are the big-endian integers at bytes 16-24.
        width = int.from_bytes(png[16:20], "big") / pixel_ratio
        height = int.from_bytes(png[20:24], "big") / pixel_ratio
        size = f' width="{width:.0f}" height="{height:.0f}"'
    return f'<img src="data:image/png;base64,{data}"{size} alt="{html.escape(alt)}">'
