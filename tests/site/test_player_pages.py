"""The frame players on the built pages, in headless Chromium: the backward-pass player of the
automating chapter shows the gradients that `Value.backward()`'s loop has pushed after each visit,
its counter and caption agree, and every player's controls fit a 390 px phone, keep the Play/Pause
button at one width and stay legible in dark mode. The package side: tests/package/test_player.py.
"""

import pytest

from book_files import ROOT, toc_docnames
from built_site import contrast, open_in_theme
from micrograd.engine import Value

PLAYER_PAGES = [name for name in toc_docnames()
                if (ROOT / f"{name}.md").exists() and "FramePlayer(" in (ROOT / f"{name}.md").read_text()]

VISIBLE_GRAPH = """player => {
  const svg = player.querySelector('.mg-frame:not([hidden]) svg');
  const nodes = {};
  svg.querySelectorAll('g.node').forEach(g => {
    const texts = [...g.querySelectorAll('text')].map(t => t.textContent.trim());
    const grad = texts.find(t => t.startsWith('grad '));
    if (grad === undefined) return;  // an operation's oval
    const shape = g.querySelector('polygon, path');
    nodes[texts[0]] = {grad: Number(grad.slice(5)), fill: shape.getAttribute('fill')};
  });
  return {nodes, counter: player.querySelector('.mg-counter').textContent,
          caption: player.querySelector('.mg-caption').textContent};
}"""


def backward_in_push_order():
    """The chapter's graph f = (a*b) * (a+b) and, after each step of backward()'s loop, the
    gradient of every value: the output's gradient set to 1, then one frame per visited node,
    after the node has pushed local derivative x its gradient into each of its operands."""
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d = a * b
    e = a + b
    f = d * e
    d.label, e.label, f.label = "d", "e", "f"
    order = f.topological_order()
    for node in order:
        node.grad = 0.0
    f.grad = 1.0
    steps = [(None, {node.label: node.grad for node in order})]
    for node in reversed(order):
        for child, local in zip(node._prev, node._local_grads):
            child.grad += local * node.grad
        steps.append((node.label, {n.label: n.grad for n in order}))
    reference = {n.label: n.grad for n in order}
    for node in order:
        node.grad = 0.0  # leaves accumulate: let backward() start from zero
    f.backward()
    assert reference == {n.label: n.grad for n in order}  # the loop above is backward()'s
    return steps


def test_backward_player_shows_the_gradients_pushed_so_far(visit):
    page = visit.open("book/automating")
    player = page.locator("article .mg-player").first
    steps = backward_in_push_order()
    assert player.locator(".mg-frame").count() == len(steps)
    visited, partial_seen = [], False
    for k, (current, grads) in enumerate(steps):
        shown = player.evaluate(VISIBLE_GRAPH)
        where = f"frame {k + 1} ({shown['caption'][:60]!r})"
        assert {label: node["grad"] for label, node in shown["nodes"].items()} == \
            pytest.approx(grads, abs=5e-5), where
        fills = {label: node["fill"] for label, node in shown["nodes"].items()}
        if current is not None:
            # the visited node in one colour, the nodes visited before it in another
            current_fill = fills[current]
            assert current_fill not in ("none", "white", "#ffffff"), where
            for label in visited:
                assert fills[label] not in (current_fill, "none", "white", "#ffffff"), where
            assert len({fills[label] for label in visited}) <= 1, where
            visited.append(current)
        # Push, not pull: an operand shows a partial gradient before it is itself visited.
        final = steps[-1][1]
        partial_seen |= any(label not in visited and grads[label] not in (0.0, final[label])
                            for label in grads)
        # The counter and the caption tell the same step.
        number, total = shown["counter"].split(" / ")
        assert shown["caption"].startswith(f"Step {number} of {total}:"), where
        if k < len(steps) - 1:
            player.locator("[data-action='next']").click()
    assert partial_seen, "no operand ever showed a partial sum: the player does not push"
    # The frame, the controls and the caption fit in one view of a 1280 x 900 window.
    assert player.bounding_box()["height"] <= 800, player.bounding_box()
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("docname", PLAYER_PAGES)
def test_player_controls_fit_a_phone(visit, docname):
    """At 390 px the buttons and the counter stay on one line, whole and inside the player."""
    visit.page.set_viewport_size({"width": 390, "height": 844})
    page = visit.open(docname)
    players = page.locator("article .mg-player")
    assert players.count() >= 1
    for i in range(players.count()):
        layout = players.nth(i).evaluate("""p => {
          const box = e => e.getBoundingClientRect();
          const items = [...p.querySelectorAll('.mg-buttons > *')];
          return {player: box(p), viewport: document.documentElement.clientWidth,
                  items: items.map(e => ({text: e.textContent, box: box(e),
                    scroll: e.scrollWidth, client: e.clientWidth,
                    lineHeight: parseFloat(getComputedStyle(e).lineHeight) ||
                                1.5 * parseFloat(getComputedStyle(e).fontSize)}))};
        }""")
        player, items = layout["player"], layout["items"]
        assert len(items) == 6, f"{docname}: expected 5 buttons and a counter, got {items}"
        tops = {round(item["box"]["top"]) for item in items}
        assert max(tops) - min(tops) <= 2, f"{docname}: the controls wrap onto several lines: {items}"
        for item in items:
            box = item["box"]
            where = f"{docname} player {i}: {item['text']!r}"
            assert box["left"] >= player["left"] - 0.5 and box["right"] <= player["right"] + 0.5, where
            assert box["right"] <= layout["viewport"], f"{where} is cut off by the screen edge"
            assert item["scroll"] <= item["client"] + 1, f"{where} is clipped"
            assert box["height"] < 2 * item["lineHeight"] + 12, f"{where} wraps inside itself"
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("docname", PLAYER_PAGES)
def test_play_and_pause_have_one_width(visit, docname):
    page = visit.open(docname)
    player = page.locator("article .mg-player").first
    play = player.locator("[data-action='play']")
    visible_label = """b => [...b.querySelectorAll('span')]
        .filter(s => getComputedStyle(s).visibility === 'visible').map(s => s.textContent)"""
    before = play.bounding_box()["width"]
    assert play.evaluate(visible_label) == ["Play"] and play.get_attribute("aria-label") == "play"
    play.click()
    during = play.bounding_box()["width"]
    assert play.evaluate(visible_label) == ["Pause"] and play.get_attribute("aria-label") == "pause"
    play.click()
    after = play.bounding_box()["width"]
    assert play.evaluate(visible_label) == ["Play"]
    assert abs(before - during) < 0.5 and abs(before - after) < 0.5, (before, during, after)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("docname", PLAYER_PAGES)
def test_player_text_and_frames_are_legible_in_both_modes(visit, docname, mode):
    """Counter and caption against what is behind them; the frames on their light panel."""
    page = open_in_theme(visit, docname, mode)
    colours = page.locator("article .mg-player").first.evaluate("""p => {
      const behind = e => {
        for (; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (c !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(c)) return c;
        }
        return 'rgb(255, 255, 255)';
      };
      const pair = e => [getComputedStyle(e).color, behind(e)];
      return {counter: pair(p.querySelector('.mg-counter')),
              caption: pair(p.querySelector('.mg-caption')),
              frames: behind(p.querySelector('.mg-frames'))};
    }""")
    for part in ("counter", "caption"):
        ratio = contrast(*colours[part])
        assert ratio >= 4.5, f"{docname} ({mode}): the {part} is {colours[part]}, contrast {ratio:.1f}"
    # The graphs and plots are drawn in black on a light ground.
    assert contrast("rgb(0, 0, 0)", colours["frames"]) >= 7, colours["frames"]
