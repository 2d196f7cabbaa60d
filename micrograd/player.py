"""A frame player that works on a static web page: no kernel, no external scripts.

Frames are HTML snippets (an inline SVG, an <img>); the player shows one at a time
with first / previous / play / next / last buttons and a slider, all keyboard-usable.
"""

import base64
import html
import io
import itertools

_ids = itertools.count(1)


class FramePlayer:
    """Displays as an interactive player in Jupyter and in the built book.

    `frames`: list of HTML strings; `captions`: one text per frame (shown under it);
    `title`: a label for the player (read by screen readers); `interval_ms`: play speed.
    """

    def __init__(self, frames, captions=None, title="animation", interval_ms=700):
        self.frames = list(frames)
        if not self.frames:
            raise ValueError("FramePlayer needs at least one frame")
        self.captions = list(captions) if captions is not None else [""] * len(self.frames)
        if len(self.captions) != len(self.frames):
            raise ValueError(f"got {len(self.frames)} frames but {len(self.captions)} captions")
        self.title = title
        self.interval_ms = int(interval_ms)

    def _repr_html_(self):
        pid = f"mg-player-{next(_ids)}"
        n = len(self.frames)
        frames = "".join(
            f'<div class="mg-frame" data-caption="{html.escape(c)}"{"" if i == 0 else " hidden"}>{f}</div>'
            for i, (f, c) in enumerate(zip(self.frames, self.captions))
        )
        buttons = "".join(
            f'<button type="button" data-action="{a}" aria-label="{label}" title="{label}">{glyph}</button>'
            # Latin-1 glyphs and words: every font has them (media-control symbols often render as boxes)
            for a, label, glyph in (("first", "first frame", "&laquo;"), ("prev", "previous frame", "&lsaquo;"),
                                    ("play", "play", "Play"), ("next", "next frame", "&rsaquo;"),
                                    ("last", "last frame", "&raquo;"))
        )
        return f"""<div class="mg-player" id="{pid}" role="group" aria-label="{html.escape(self.title)}">
<div class="mg-frames">{frames}</div>
<div class="mg-controls">{buttons}
<input type="range" min="0" max="{n - 1}" value="0" aria-label="frame number">
<span class="mg-counter" aria-live="polite">1 / {n}</span></div>
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
  function stop() {{ clearInterval(timer); timer = null; play.textContent = "Play"; play.setAttribute("aria-label", "play"); }}
  function start() {{
    if (current === frames.length - 1) show(0);
    play.textContent = "Pause"; play.setAttribute("aria-label", "pause");
    timer = setInterval(() => {{ if (current === frames.length - 1) stop(); else show(current + 1); }}, {self.interval_ms});
  }}
  const actions = {{
    first: () => {{ stop(); show(0); }}, prev: () => {{ stop(); show(current - 1); }},
    next: () => {{ stop(); show(current + 1); }}, last: () => {{ stop(); show(frames.length - 1); }},
    play: () => {{ if (timer) stop(); else start(); }},
  }};
  root.querySelectorAll("button").forEach(b => b.addEventListener("click", actions[b.dataset.action]));
  slider.addEventListener("input", () => {{ stop(); show(Number(slider.value)); }});
  show(0);
}})();
</script>
<style>
.mg-player .mg-controls {{ display: flex; gap: .4rem; align-items: center; margin: .3rem 0; }}
.mg-player button {{ min-width: 2.2rem; padding: .15rem .4rem; border: 1px solid #999; border-radius: 4px; background: #fff; color: #222; cursor: pointer; }}
.mg-player input[type=range] {{ flex: 1; }}
.mg-player .mg-frame svg, .mg-player .mg-frame img {{ max-width: 100%; height: auto; }}
.mg-player .mg-caption {{ font-size: .9rem; color: #333; min-height: 1.3em; }}
</style>"""


def svg_frame(digraph):
    """A Graphviz graph as an inline-SVG frame (the XML prolog dropped, so it can sit in HTML)."""
    svg = digraph.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def figure_frame(fig, alt, dpi=80):
    """A matplotlib figure as an <img> frame (PNG, base64-encoded); `alt` describes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
