"""Take the README's screenshot of the built book (run after `make book`).

    .venv/bin/python tools/scripts/readme_screenshot.py [docname[#anchor]] [output.png]

Serves _build/html on 127.0.0.1, opens the page in headless Chromium (the system browser, or
$CHROMIUM; no network), captures the top of the page and saves it as a small palette PNG. Serving
and starting Chromium are the site tests' own (tests/site/built_site.py).
"""

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "site")]
from built_site import launch_chromium, serve  # noqa: E402


def main(docname="book/backprop-by-hand#one-rule-applied-backwards", output="book/images/readme-screenshot.png"):
    docname, _, anchor = docname.partition("#")
    with serve(ROOT / "_build" / "html") as base, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
        page.goto(f"{base}/{docname}.html", wait_until="load")
        if anchor:  # scroll there without the :target highlight a #anchor URL would add
            page.evaluate("id => document.getElementById(id).scrollIntoView()", anchor)
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        png = page.screenshot()
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(ROOT / output, optimize=True)
    print(f"wrote {output} ({(ROOT / output).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(*sys.argv[1:])
