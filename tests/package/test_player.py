"""The frame player (micrograd.player.FramePlayer), the package side: the HTML it writes and the
clear errors it gives. Its pages in Chromium: tests/site/test_player_pages.py."""

import base64
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")  # no display needed

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from micrograd.draw import draw_dot  # noqa: E402
from micrograd.engine import Value  # noqa: E402
from micrograd.player import FramePlayer, figure_frame, svg_frame  # noqa: E402
from strategies import seed_graph  # noqa: E402


class Tags(HTMLParser):
    """Every start tag of some HTML as (tag, attributes)."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def with_class(self, cls):
        return [a for _, a in self.tags if cls in (a.get("class") or "").split()]


def test_a_string_instead_of_a_list_of_frames_is_a_clear_error():
    with pytest.raises(TypeError, match=r"frames must be a list of strings.*not a single str"):
        FramePlayer("<b>one frame</b>")
    with pytest.raises(TypeError, match=r"captions must be a list of strings.*not a single str"):
        FramePlayer(["a", "b"], captions="ab")
    with pytest.raises(TypeError, match=r"frames must be a list of strings, not int"):
        FramePlayer(3)


def test_frames_and_captions_must_be_strings():
    with pytest.raises(TypeError, match="frame 1 is a int, not a string"):
        FramePlayer(["a", 2])
    with pytest.raises(TypeError, match="caption 0 is a NoneType, not a string"):
        FramePlayer(["a"], captions=[None])
    with pytest.raises(TypeError, match="title must be a string"):
        FramePlayer(["a"], title=None)


@pytest.mark.parametrize("bad, error, message", [
    (-5, ValueError, "interval_ms must be positive, got -5"),
    (0, ValueError, "interval_ms must be positive, got 0"),
    (float("nan"), ValueError, "interval_ms must be positive"),
    ("fast", TypeError, "interval_ms must be a number of milliseconds, not str"),
    (True, TypeError, "interval_ms must be a number of milliseconds, not bool"),
])
def test_interval_must_be_a_positive_number(bad, error, message):
    with pytest.raises(error, match=message):
        FramePlayer(["a", "b"], interval_ms=bad)


def test_the_old_calls_still_work():
    """The moons chapter's call, positional captions and any iterable of frames."""
    player = FramePlayer((f"<i>{k}</i>" for k in range(3)), ["x", "y", "z"],
                         interval_ms=600, title="training")
    assert player.frames == ["<i>0</i>", "<i>1</i>", "<i>2</i>"]
    assert player.interval_ms == 600 and player.title == "training"
    assert FramePlayer(["only"]).captions == [""]
    assert FramePlayer(["a"], interval_ms=12.6).interval_ms == 13


def test_player_html():
    html = FramePlayer([f"<b>{k}</b>" for k in range(11)], [f"c{k}" for k in range(11)])._repr_html_()
    tags = Tags(html)
    (buttons,) = tags.with_class("mg-buttons")
    counter = re.search(r'<span class="mg-counter"[^>]*>([^<]*)</span>', html)
    assert counter.group(1) == "1 / 11"
    assert "min-width: 7ch" in counter.group(0)  # room for "11 / 11": no jumping
    # The counter sits with the buttons (which never wrap); the slider may take a line of its own.
    assert html.index("mg-buttons") < html.index("mg-counter") < html.index('type="range"')
    play = re.search(r'<button[^>]*data-action="play"[^>]*>(.*?)</button>', html).group(1)
    assert "Play" in play and "Pause" in play  # both labels always there: one width
    assert "white-space: nowrap" in html and "flex-wrap: wrap" in html
    # The frames sit on a light panel, legible whatever the page's theme.
    assert ".mg-frames { background: #fff" in html


def test_figure_frame_at_twice_the_pixels_keeps_its_size():
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    plain, sharp = figure_frame(fig, "a line", dpi=50), figure_frame(fig, "a line", dpi=50,
                                                                         pixel_ratio=2)
    plt.close(fig)
    assert "width=" not in plain and 'alt="a line"' in sharp
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', sharp).groups())
    assert 90 <= width <= 115 and 45 <= height <= 65  # 2 x 1 inches at 50 dpi, shown so
    assert len(sharp) > 2 * len(plain)
    with pytest.raises(ValueError, match="pixel_ratio must be at least 1"):
        figure_frame(None, "x", pixel_ratio=0.5)


def test_draw_dot_fills_values_in_the_colours_given():
    a = Value(1.0, label="a")
    b = a * 2
    b.label = "b"
    svg = svg_frame(draw_dot(b, highlight={a: "#112233", b: "#445566"}))
    assert 'fill="#112233"' in svg and 'fill="#445566"' in svg
    assert 'fill="#ffe08a"' in svg_frame(draw_dot(b, highlight=[a]))  # a list: one colour


def test_frame_player_structure():
    frames = ["<b>one</b>", "<i>two</i>", "<u>three</u>"]
    captions = ["first", "a < b & \"c\"", "last"]
    html = FramePlayer(frames, captions, title="steps & more", interval_ms=250)._repr_html_()
    doc = Tags(html)
    (root,) = doc.with_class("mg-player")
    assert root["role"] == "group" and root["aria-label"] == "steps & more" and root["id"].startswith("mg-player-")
    frame_divs = doc.with_class("mg-frame")
    assert [f["data-caption"] for f in frame_divs] == captions  # escaped in the HTML, intact once parsed
    assert ["hidden" in f for f in frame_divs] == [False, True, True]
    buttons = [a for t, a in doc.tags if t == "button"]
    assert [b["data-action"] for b in buttons] == ["first", "prev", "play", "next", "last"]
    assert all(b.get("aria-label") and b.get("type") == "button" for b in buttons)
    (slider,) = [a for t, a in doc.tags if t == "input"]
    assert (slider["type"], slider["min"], slider["max"], slider["value"]) == ("range", "0", "2", "0")
    assert "1 / 3" in html and "<b>one</b>" in html and "setInterval" in html and "250" in html
    assert "a &lt; b &amp; &quot;c&quot;" in html


def test_frame_players_get_distinct_ids():
    a, b = (Tags(FramePlayer(["x"])._repr_html_()).with_class("mg-player")[0]["id"] for _ in range(2))
    assert a != b


def test_frame_player_errors():
    with pytest.raises(ValueError, match="FramePlayer needs at least one frame"):
        FramePlayer([])
    with pytest.raises(ValueError, match="got 2 frames but 1 captions"):
        FramePlayer(["a", "b"], captions=["only one"])


def test_svg_frame_is_inline_svg():
    L, _ = seed_graph()
    frame = svg_frame(draw_dot(L))
    assert frame.startswith("<svg") and "<?xml" not in frame and "grad 6.0000" in frame


def test_figure_frame_is_an_embedded_png():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    frame = figure_frame(fig, alt='a "line" <falling>', dpi=40)
    plt.close(fig)
    (img,) = [a for t, a in Tags(frame).tags if t == "img"]
    assert img["alt"] == 'a "line" <falling>'
    prefix = "data:image/png;base64,"
    assert img["src"].startswith(prefix)
    assert base64.b64decode(img["src"][len(prefix):]).startswith(b"\x89PNG")
