"""The page layout at desktop width: code fits the column, one search field, a wide enough article.

At 1280 px no code block and no output may need sideways scrolling: the chapters wrap their code
to 80 characters and the frame (tools/extensions/static/book-frame.css) gives the article room for ~90.
Collapsed cells, dropdowns and toggles are opened first, so what they hide is measured too.
"""

import pytest

from book_files import toc_docnames

PAGES = toc_docnames()
DESKTOP = {"width": 1280, "height": 900}

OPEN_EVERYTHING = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
}"""

# Code blocks (input cells, listings, plain fences) and cell outputs wider than their box.
OVERFLOWING = """() => {
  const article = document.querySelector("article.bd-article");
  if (!article) return ["the page has no article (was it built?)"];
  const probe = document.createElement("span");
  probe.textContent = "x".repeat(100);
  probe.style.fontFamily = getComputedStyle(article.querySelector("pre") || article).fontFamily;
  probe.style.fontSize = "14px";
  probe.style.position = "absolute";
  article.appendChild(probe);
  const charWidth = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const boxes = new Set([...article.querySelectorAll("pre, div.cell_output, div.cell_output > div")]);
  return [...boxes]
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .filter(e => !(e.tagName !== "PRE" && e.querySelector("pre") && [...e.querySelectorAll("pre")]
                   .some(p => p.scrollWidth > p.clientWidth + 1)))  // count the <pre>, not its parents
    .map(e => {
      const kind = e.closest("div.cell_output") ? "output" : "code";
      const longest = Math.max(...(e.innerText || "").split("\\n").map(line => line.length));
      const first = (e.innerText || e.tagName).trim().split("\\n")[0].slice(0, 60);
      return `${kind}: ${e.scrollWidth} px in a ${e.clientWidth} px box `
           + `(longest line ${longest} chars, ~${Math.floor(e.clientWidth / charWidth)} fit): ${first}`;
    });
}"""

CODE_COLUMN = """() => {
  const pre = document.querySelector("article.bd-article div.highlight pre");
  const style = getComputedStyle(pre);
  const probe = document.createElement("span");
  probe.textContent = "x".repeat(100);
  pre.appendChild(probe);
  const charWidth = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.floor(inner / charWidth);
}"""

VISIBLE_SEARCH_FIELDS = """() => [...document.querySelectorAll(".search-button-field, form.bd-search")]
  .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0).length"""


def overflowing_blocks(visit, docname):
    visit.page.set_viewport_size(DESKTOP)
    page = visit.open(docname)
    page.evaluate(OPEN_EVERYTHING)
    page.wait_for_timeout(50)
    return page.evaluate(OVERFLOWING)


def test_no_code_or_output_scrolls_sideways_at_1280px(visit):
    """Every page of the table of contents; the failure lists each block that scrolls sideways."""
    report, total = [], 0
    for docname in PAGES:
        blocks = overflowing_blocks(visit, docname)
        total += len(blocks)
        report += [f"{docname}: {block}" for block in blocks]
    print("\n".join(report) or "no block scrolls sideways")
    assert not report, f"{total} code blocks or outputs scroll sideways at 1280 px:\n" + "\n".join(report)


@pytest.mark.parametrize("width, at_least", [(1280, 88), (1440, 88), (1920, 88)])
def test_the_code_column_holds_about_90_characters(visit, width, at_least):
    visit.page.set_viewport_size({"width": width, "height": 900})
    page = visit.open("book/automating")
    assert page.evaluate(CODE_COLUMN) >= at_least


def test_one_search_field_per_page(visit):
    """The sidebar's own search field, and no second one in a header bar above it."""
    for docname in (PAGES[0], PAGES[-1]):
        page = visit.open(docname)
        assert page.evaluate(VISIBLE_SEARCH_FIELDS) == 1, docname


def test_folded_table_of_contents_opens_from_the_article_header(visit):
    """Below 1440 px the page's table of contents is no column, but its button opens it as a drawer."""
    page = visit.open("book/value")
    assert not page.locator("#pst-secondary-sidebar").is_visible()
    page.locator("button.secondary-toggle").click()
    drawer = page.locator("dialog#pst-secondary-sidebar-modal")
    drawer.locator("nav.page-toc a").first.wait_for(state="visible", timeout=5000)
    box = drawer.bounding_box()
    assert box["width"] >= 250 and box["x"] + box["width"] <= DESKTOP["width"] + 1
