"""The built site in headless Chromium, as a reader meets it.

Every request that does not go to 127.0.0.1 is aborted (and reported): the site must work offline,
MathJax included. A screenshot of every page goes to test-artifacts/screenshots/.
"""

import importlib.util
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from book_files import ROOT, is_notebook, toc_docnames
from built_site import SCREENSHOTS, contrast, expected_binder_url, expected_repository_url, open_in_theme

PAGES = toc_docnames()
NOTEBOOKS = [name for name in PAGES if is_notebook(name)]

# What the chapter issues promise on each page, as minimum counts of elements in the article:
# images (<img>, e.g. Graphviz graphs and SVG plots), tables, and frame players.
EXPECTED = {
    "book/intro": {"img": 1},
    "book/derivatives": {"img": 2},
    "book/value": {"img": 1, "table": 1},
    "book/backprop-by-hand": {"img": 2, "table": 3},
    "book/automating": {"img": 1, "table": 1, "player": 1},
    "book/checking": {"img": 3, "table": 3},
    "book/neurons": {"img": 2, "table": 1},
    "book/training-loop": {"img": 1, "table": 1},
    "book/moons": {"img": 1, "player": 1},
    "book/pytorch": {"img": 1, "table": 1},
    "book/softmax": {"img": 3, "table": 2},
    "book/tensors": {"img": 2, "table": 1},
    "book/digits": {"img": 4},
    "book/deep-networks": {"img": 2, "table": 2},
    "book/gpt-model": {"table": 1},
    "book/gpt-training": {"img": 1, "table": 2},
    "book/playground": {"img": 1},
}

WAIT_FOR_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done); setTimeout(done, 10000);
  })));
  return images.filter(img => !(img.naturalWidth > 0)).map(img => img.getAttribute("src"));
}"""

BROKEN_INLINE_SVGS = """() => [...document.querySelectorAll("article svg")]
  .filter(svg => !svg.parentElement.closest("svg") && svg.checkVisibility())
  .filter(svg => { const box = svg.getBoundingClientRect(); return !(box.width > 0 && box.height > 0) || !svg.firstElementChild; })
  .map(svg => svg.outerHTML.slice(0, 120))"""

TYPESET_MATH = """async () => {
  const math = document.querySelectorAll("article .math").length;
  if (!math) return {math: 0};
  if (!window.MathJax || !window.MathJax.startup) return {math, loaded: false};
  await window.MathJax.startup.promise;
  return {math, loaded: true, version: window.MathJax.version,
          typeset: document.querySelectorAll("article mjx-container").length,
          errors: document.querySelectorAll("article mjx-merror").length};
}"""

COUNTS = """() => ({
  img: document.querySelectorAll("article img").length,
  table: document.querySelectorAll("article table").length,
  player: document.querySelectorAll("article .mg-player").length,
  code: document.querySelectorAll("article div.highlight pre").length,
  copy: document.querySelectorAll("article button.copybtn").length,
})"""


def screenshot_name(docname):
    return SCREENSHOTS / (docname.replace("/", "__") + ".png")


@pytest.mark.parametrize("docname", PAGES)
def test_page_in_browser(visit, docname):
    """Loads cleanly, images and SVGs render, math is typeset, code has copy buttons, and the
    launch/repository buttons point where _config.yml says."""
    page = visit.open(docname)
    failures = []

    broken_images = page.evaluate(WAIT_FOR_IMAGES)
    failures += [f"image did not load: {src[:100]}" for src in broken_images]
    failures += [f"inline SVG has no size or content: {svg}" for svg in page.evaluate(BROKEN_INLINE_SVGS)]

    math = page.evaluate(TYPESET_MATH)
    if math["math"]:
        if not math.get("loaded"):
            failures.append(f"{math['math']} math elements but MathJax did not load")
        else:
            if math["typeset"] < math["math"]:
                failures.append(f"MathJax typeset {math['typeset']} of {math['math']} math elements")
            if math["errors"]:
                failures.append(f"MathJax reported {math['errors']} TeX errors")

    counts = page.evaluate(COUNTS)
    if counts["code"] and counts["copy"] < counts["code"]:
        failures.append(f"{counts['code']} code blocks but only {counts['copy']} copy buttons")
    for kind, minimum in EXPECTED.get(docname, {}).items():
        if counts[kind] < minimum:
            failures.append(f"expected at least {minimum} {kind} element(s) on the page, found {counts[kind]}")

    binder = sorted({a for a in page.eval_on_selector_all(
        "a[href*='/v2/gh/']", "links => links.map(a => a.href)")})
    if is_notebook(docname):
        if binder != [expected_binder_url(docname)]:
            failures.append(f"Binder launch link is {binder}, expected [{expected_binder_url(docname)}]")
        download = page.eval_on_selector_all("a.btn-download-notebook-button", "a => a.map(x => x.href)")
        if not any(href.endswith(".ipynb") for href in download):
            failures.append("no download button for the executed notebook (.ipynb)")
    elif binder:
        failures.append(f"a page that is not a notebook has Binder links: {binder}")

    repo_url = expected_repository_url()
    hrefs = page.eval_on_selector_all("a[href^='https://github.com/']", "links => links.map(a => a.href)")
    if repo_url not in hrefs:
        failures.append(f"no repository button linking to {repo_url}")
    if not any(h.startswith(f"{repo_url}/issues/new") for h in hrefs):
        failures.append("no 'open issue' button")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot_name(docname)), full_page=True)

    failures += visit.problems()
    assert not failures, f"{docname}:\n  " + "\n  ".join(failures)


PLAYER_PAGES = sorted({name for name, expect in EXPECTED.items() if "player" in expect}
                      | {name for name in NOTEBOOKS if "FramePlayer" in (ROOT / f"{name}.md").read_text()})


@pytest.mark.parametrize("docname", PLAYER_PAGES)
def test_frame_players_advance_on_click(visit, docname):
    """Each .mg-player (micrograd.player.FramePlayer) steps forward when its 'next' button is clicked."""
    page = visit.open(docname)
    players = page.locator("article .mg-player")
    assert players.count() >= 1, f"{docname} has no frame player"
    for i in range(players.count()):
        player = players.nth(i)
        frames = player.locator(".mg-frame").count()
        assert frames >= 2, f"player {i} on {docname} has {frames} frame(s): nothing to step through"
        assert player.get_attribute("data-frame") == "0", f"player {i} does not start at frame 0"
        visible = player.locator(".mg-frame:not([hidden])")
        first = visible.first.inner_html()
        player.locator("[data-action='next']").click()
        assert player.get_attribute("data-frame") == "1", f"player {i} on {docname} did not advance"
        assert visible.count() == 1 and visible.first.inner_html() != first, "the shown frame did not change"
        player.locator("[data-action='last']").click()
        assert player.get_attribute("data-frame") == str(frames - 1)
    assert not visit.problems(), "\n".join(visit.problems())


AXE_JS = Path(importlib.util.find_spec("axe_playwright_python").origin).with_name("axe.min.js")


@pytest.mark.parametrize("docname", PAGES)
def test_page_has_no_accessibility_violations(visit, docname):
    """axe-core's WCAG 2 A and AA rules (alt text, contrast, labels, landmarks...) on every page."""
    page = visit.open(docname)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    violations = [f"{v['id']} ({v['impact']}): {v['help']}; first at {v['nodes'][0]['target']}"
                  for v in result["violations"]]
    assert not violations, f"{docname}:\n  " + "\n  ".join(violations)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("docname", PLAYER_PAGES)
def test_player_controls_are_readable_in_light_and_dark_mode(visit, docname, mode):
    """The theme has a dark-mode toggle: the player's button labels must stay legible in both."""
    page = open_in_theme(visit, docname, mode)
    buttons = page.eval_on_selector_all(
        "article .mg-player button",
        "bs => bs.map(b => [b.textContent, getComputedStyle(b).color, getComputedStyle(b).backgroundColor])")
    assert buttons, f"{docname}: no player buttons"
    for label, colour, background in buttons:
        ratio = contrast(colour, background)
        assert ratio >= 4.5, f"{docname} ({mode}): button {label!r} is {colour} on {background}, contrast {ratio:.1f}"


def test_next_links_walk_the_whole_book_in_toc_order(visit):
    """From index.html (which redirects to the first page), 'next' leads through every page in order."""
    page = visit.page
    page.goto(f"{visit.base_url}/index.html")
    page.wait_for_url(re.compile(re.escape(PAGES[0]) + r"\.html"))
    visited = [visit.docname()]
    while len(visited) <= len(PAGES):
        following = page.locator("a.right-next")
        if following.count() == 0:
            break
        with page.expect_navigation(wait_until="load"):
            following.first.click()
        visited.append(visit.docname())
    assert visited == PAGES, f"'next' links visit {visited}, the table of contents is {PAGES}"
    assert not visit.problems(), "\n".join(visit.problems())


def test_moons_page_states_the_training_accuracy(visit):
    """The moons chapter tells the reader the final training accuracy, a computed number (>= 97 %)."""
    page = visit.open("book/moons")
    prose = " ".join(page.locator("article p").all_inner_texts())   # paragraphs, not code or outputs
    sentences = re.split(r"(?<=[.!?;])\s+", " ".join(prose.split()))
    claims = [s for s in sentences if re.search(r"accura|classifies|correctly", s, re.I)
              and re.search(r"training", s, re.I) and re.search(r"\d+(?:\.\d+)?\s*%", s)]
    assert claims, "no sentence on the moons page gives the training accuracy as a percentage"
    value = float(re.search(r"(\d+(?:\.\d+)?)\s*%", claims[0]).group(1))
    assert 97 <= value <= 100, f"the stated training accuracy is {value} %: {claims[0]!r}"


def test_search_page_finds_the_chapters(visit):
    page = visit.page
    page.goto(f"{visit.base_url}/search.html?q=gradient")
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.locator("#search-results ul.search li").count()
    assert hits >= 1, "searching the book for 'gradient' found nothing"
    assert not visit.problems(), "\n".join(visit.problems())


def test_math_is_typeset_somewhere(visit):
    """Guards the per-page math check against passing vacuously: the chain-rule chapter has math."""
    page = visit.open("book/backprop-by-hand")
    math = page.evaluate(TYPESET_MATH)
    assert math["math"] > 0 and math.get("typeset", 0) >= math["math"], math
    assert urlparse(page.evaluate("[...document.scripts].map(s => s.src).find(s => s.includes('mathjax'))")
                    ).hostname == "127.0.0.1", "MathJax must come from the site itself"
