"""How long each page of the built book takes to read, and how much of the chapters' code is hidden.

    python tools/scripts/reading_time.py [_build/html]     the reading time of every built page
    python tools/scripts/reading_time.py --sources [REV]   hidden-code share and glue count of book/*.md
                                                           (of the working tree, or of a git revision)

Reading time (issue 15, item 4) is measured on the BUILT pages, as a reader meets them:

    minutes = prose words / 200  +  6 seconds per shown code line

- prose: the words of the page's article (headings, paragraphs, lists, tables, admonitions, the
  titles and contents of dropdowns, inline math, and the numbers glued into the prose), without
  code blocks and without cell outputs (printed text, figures, graphs); display equations are
  left out like figures (the issue's formula has no rate for them);
- shown code lines: the non-blank lines of every code block the page shows: code cells, fenced code,
  ``literalinclude`` blocks, and the code inside dropdowns and exercise solutions (the reader opens
  them);
- not counted: code (and outputs) folded behind myst-nb's toggles in cells tagged ``hide-input``,
  ``hide-cell`` or ``hide-output`` (plotting code and the like, whatever the toggle's label), except
  exercise solutions (tagged ``exercise-solution``, or a toggle labelled "... solution"), which the
  reader is meant to open; and cells removed from the page.

The source statistics (issue 15, item 2) read the MyST sources:

- hidden-code share: non-blank code lines in cells tagged ``remove-cell``, ``remove-input`` or
  ``hide-input`` over the non-blank code lines of all code cells; and the removed share, the same
  without ``hide-input`` (code a reader cannot open at all: issue 15's "43 %" counted the
  ``remove-cell`` cells of 3244d67; this script gives 48 % hidden and 44 % removed there);
- glue count: how many values the chapters hand to the prose: one per ``glue(...)`` call, one per
  keyword of a ``publish(...)`` call.

The functions are imported by the tests (tests/site/) and the status page (tools/extensions/).
"""

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORDS_PER_MINUTE = 200
SECONDS_PER_CODE_LINE = 6
BUDGET_MINUTES = 25
HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input"}
REMOVED_TAGS = {"remove-cell", "remove-input"}
FOLDING_TAGS = {"tag_hide-input", "tag_hide-cell", "tag_hide-output"}
SOLUTION = re.compile(r"solution", re.I)
BLOCK_TAGS = ["p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "div", "dt", "dd",
              "summary", "pre", "br", "tr", "figcaption", "caption", "blockquote"]
WORD = re.compile(r"\S*\w\S*")


@dataclass
class PageReading:
    page: str
    prose_words: int
    code_lines: int

    @property
    def minutes(self):
        return self.prose_words / WORDS_PER_MINUTE + self.code_lines * SECONDS_PER_CODE_LINE / 60


def _soup(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def article_of(html):
    """The page's article (the book's content, without the theme's navigation)."""
    soup = _soup(html)
    article = soup.select_one("article.bd-article") or soup.select_one("main") or soup
    return article


def _remove_folded_cells(article):
    """Drop what myst-nb folds away in hide-input/-cell/-output cells, solutions excepted."""
    for details in article.select("details.hide"):
        cell = details.find_parent("div", class_="cell")
        classes = set(cell.get("class", [])) if cell is not None else set()
        title = details.select_one("summary .collapsed") or details.find("summary")
        solution = "tag_exercise-solution" in classes or (
            title is not None and SOLUTION.search(title.get_text()))
        if classes & FOLDING_TAGS and not solution:
            details.decompose()
        else:
            for expanded in details.select("summary .expanded"):
                expanded.decompose()  # "Hide solution": the same toggle's other label


def shown_code_blocks(article):
    """The <pre> of every code block a reader sees (cell inputs, fenced code, literalincludes,
    dropdowns and solutions), outputs and folded code cells excluded. Mutates nothing."""
    article = _soup(str(article))
    _remove_folded_cells(article)
    for output in article.select("div.cell_output"):
        output.decompose()
    return [pre for block in _code_blocks(article) for pre in block.find_all("pre")]


def _code_blocks(article):
    """The outermost highlighted code blocks (Pygments' div.highlight-<lexer>, or div.highlight);
    not display math, whose div is class "math notranslate nohighlight"."""
    def is_code(tag):
        return tag.name == "div" and any(c == "highlight" or c.startswith("highlight-")
                                         for c in tag.get("class", []))
    return [div for div in article.find_all(is_code) if not div.find_parent(is_code)]


def measure_html(html, page="page"):
    """Prose words and shown code lines of one built page."""
    article = article_of(html)
    _remove_folded_cells(article)
    for node in article.select("div.cell_output, div.math, a.headerlink, script, style, svg, .prev-next-area"):
        node.decompose()
    code_lines = 0
    for block in _code_blocks(article):
        for pre in block.find_all("pre"):
            code_lines += sum(1 for line in pre.get_text().splitlines() if line.strip())
        block.decompose()
    for tag in article.find_all(BLOCK_TAGS):
        tag.append(" ")
    prose_words = len(WORD.findall(article.get_text()))
    return PageReading(page, prose_words, code_lines)


def toc_pages(root=ROOT):
    """The book's pages in reading order (docnames such as book/intro), from _toc.yml."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def measure_book(html_dir, root=ROOT):
    """PageReading of every page of the table of contents found in html_dir, in reading order
    (pages missing from the build are left out)."""
    html_dir = Path(html_dir)
    readings = []
    for docname in toc_pages(root):
        path = html_dir / f"{docname}.html"
        if path.exists():
            readings.append(measure_html(path.read_text(encoding="utf-8"), Path(docname).name))
    return readings


def reading_table(readings, budget=BUDGET_MINUTES):
    """The readings as aligned text lines (page, words, code lines, minutes, over budget marks)."""
    lines = [f"{'page':<20} {'prose words':>11} {'code lines':>10} {'minutes':>8}"]
    for r in readings:
        flag = "  over budget" if r.minutes > budget else ""
        lines.append(f"{r.page:<20} {r.prose_words:>11,} {r.code_lines:>10,} {r.minutes:>8.1f}{flag}")
    words = sum(r.prose_words for r in readings)
    code = sum(r.code_lines for r in readings)
    minutes = sum(r.minutes for r in readings)
    lines.append(f"{'whole book':<20} {words:>11,} {code:>10,} {minutes:>8.1f}"
                 f"  ({minutes / 60:.1f} h; budget {budget} min a page)")
    return lines


# ---------------------------------------------------------------- the sources

CELL_START = re.compile(r"^(`{3,}|~{3,})\{code-cell\}")


@dataclass
class Cell:
    tags: list
    source: str

    @property
    def lines(self):
        return sum(1 for line in self.source.splitlines() if line.strip())


def code_cells(text):
    """The code cells of a MyST Markdown notebook: their tags (short ``:tags:`` form or a YAML
    ``---`` block) and their code."""
    cells, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        start = CELL_START.match(lines[i])
        if not start:
            i += 1
            continue
        fence, i = start.group(1), i + 1
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        i += 1
        tags, j = [], 0
        if body and body[0].strip() == "---":
            end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), 0)
            import yaml

            options = yaml.safe_load("\n".join(body[1:end])) or {}
            tags, j = list(options.get("tags", [])), end + 1
        else:
            while j < len(body) and body[j].startswith(":"):
                option = re.match(r":tags:\s*\[(.*)\]", body[j])
                if option:
                    tags = [t.strip().strip("'\"") for t in option.group(1).split(",") if t.strip()]
                j += 1
        cells.append(Cell(tags, "\n".join(body[j:])))
    return cells


def glued_names(source):
    """How many values a cell hands to the prose: glue(...) calls and publish(...) keywords."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return len(re.findall(r"\bglue\(", code)) + len(re.findall(r"\bpublish\(", code))
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "glue":
                count += 1
            elif name == "publish":
                count += max(1, len(node.keywords))
    return count


def publishing_calls(source):
    """How many statements of a cell hand values to the prose: glue(...) and publish(...) calls
    (before the backstage each value took a glue line of its own; one publish call takes many)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return len(re.findall(r"\b(?:glue|publish)\(", code))
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call)
               and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in ("glue", "publish"))


@dataclass
class SourceStats:
    code_lines: int = 0
    hidden_lines: int = 0
    removed_lines: int = 0
    glued: int = 0
    calls: int = 0

    @property
    def hidden_share(self):
        return self.hidden_lines / self.code_lines if self.code_lines else 0.0

    @property
    def removed_share(self):
        return self.removed_lines / self.code_lines if self.code_lines else 0.0

    def add(self, other):
        return SourceStats(*(getattr(self, f) + getattr(other, f)
                             for f in ("code_lines", "hidden_lines", "removed_lines", "glued", "calls")))


def page_stats(text):
    """SourceStats of one MyST notebook."""
    cells = code_cells(text)
    return SourceStats(sum(c.lines for c in cells),
                       sum(c.lines for c in cells if HIDDEN_TAGS & set(c.tags)),
                       sum(c.lines for c in cells if REMOVED_TAGS & set(c.tags)),
                       sum(glued_names(c.source) for c in cells),
                       sum(publishing_calls(c.source) for c in cells))


def source_stats(texts):
    """({page: SourceStats}, the total) of {page: MyST text}."""
    per_page = {page: page_stats(text) for page, text in texts.items()}
    total = SourceStats()
    for stats in per_page.values():
        total = total.add(stats)
    return per_page, total


def book_sources(root=ROOT, revision=None):
    """{page: text} of book/*.md, from the working tree or from a git revision."""
    if revision is None:
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted((Path(root) / "book").glob("*.md"))}
    names = subprocess.run(["git", "ls-tree", "--name-only", revision, "book/"], cwd=root,
                           capture_output=True, text=True, check=True).stdout.split()
    return {Path(n).stem: subprocess.run(["git", "show", f"{revision}:{n}"], cwd=root, capture_output=True,
                                         text=True, check=True).stdout
            for n in names if n.endswith(".md")}


def source_table(per_page, total):
    lines = [f"{'page':<20} {'code lines':>10} {'hidden':>7} {'share':>6} {'removed':>8} {'share':>6} {'glued':>6} "
             f"{'calls':>6}"]
    for page, s in list(per_page.items()) + [("all chapters", total)]:
        if s.code_lines:
            lines.append(f"{page:<20} {s.code_lines:>10} {s.hidden_lines:>7} {s.hidden_share:>6.1%} "
                         f"{s.removed_lines:>8} {s.removed_share:>6.1%} {s.glued:>6} {s.calls:>6}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", nargs="?", default=str(ROOT / "_build" / "html"),
                        help="the built site (default: _build/html)")
    parser.add_argument("--sources", nargs="?", const="", metavar="REV",
                        help="print the hidden-code share and glue count of book/*.md instead "
                             "(of git revision REV if given)")
    args = parser.parse_args(argv)
    if args.sources is not None:
        print("\n".join(source_table(*source_stats(book_sources(ROOT, args.sources or None)))))
        return 0
    readings = measure_book(args.html_dir)
    if not readings:
        print(f"no built pages of _toc.yml in {args.html_dir}: build the book first (make book)", file=sys.stderr)
        return 1
    print("\n".join(reading_table(readings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
