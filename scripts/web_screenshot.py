"""Take the README's screenshot of the web app: ``docs/web.png``.

Starts the six servers of ``fourcast serve`` on free loopback ports over a temporary seeded
database, opens the web app's page in headless Chromium at 1280×800, waits until every panel
has loaded and its live watch is open, writes one observation through the live form (so the
live lists show an arrival and its delay), and saves the whole page (1280 wide, as tall as it
is: the panels are below the fold) as an optimised PNG (a palette of 256 colours: a few
hundred KB at most).

    python scripts/web_screenshot.py                  # writes docs/web.png
    python scripts/web_screenshot.py --output x.png   # somewhere else

Without Chromium (or Playwright, or Pillow) it says so in one line and exits 2.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from services.evidence.capabilities.browser import browser_problem, headless_chromium
from services.evidence.targets import started_targets
from services.progress import progress, wanted
from services.protocols import PROTOCOLS

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "web.png"
VIEWPORT = {"width": 1280, "height": 800}
LIMIT_MS = 60_000  # bounds a hang; the page loads in a second or two
WRITER = "rest"
TEMPERATURE = 21.5
ALL_LIVE = """() => {
  const panels = [...document.querySelectorAll('section.panel[data-protocol]')];
  return document.body.dataset.ready === 'true' && panels.length === 4
    && panels.every((p) => p.dataset.live === 'connected');
}"""
ARRIVED_EVERYWHERE = """(value) => [...document.querySelectorAll('section.panel[data-protocol]')]
  .every((p) => [...p.querySelectorAll('[data-role="live"] li[data-sequence]')].some((li) => {
    const t = li.querySelector('[data-field="temperature"]');
    return t && Number(t.dataset.value) === value;
  }))"""


def optimised_png(png: bytes) -> bytes:
    """The screenshot with a palette of 256 colours, compressed as far as PNG goes."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        quantized = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
        out = io.BytesIO()
        quantized.save(out, format="PNG", optimize=True)
        return out.getvalue()


def shoot(browser: Any, web_url: str, api_key: str) -> bytes:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(web_url)
        page.wait_for_function(ALL_LIVE, timeout=LIMIT_MS)
        page.select_option('#live select[name="protocol"]', WRITER)
        page.fill('#live input[name="api_key"]', api_key)
        page.fill('#live input[name="temperature"]', str(TEMPERATURE))
        page.click('#live [type="submit"]')
        page.wait_for_function(ARRIVED_EVERYWHERE, arg=TEMPERATURE, timeout=LIMIT_MS)
        page.fill('#live input[name="api_key"]', "")  # typed, used, forgotten
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        png: bytes = page.screenshot(type="png", full_page=True)
        return png
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the PNG goes")
    args = parser.parse_args()
    problem = browser_problem()
    try:
        import PIL  # noqa: F401
    except ImportError:
        problem = problem or "Pillow is not installed: pip install -e '.[test]'"
    if problem:
        print(f"web_screenshot: cannot take the screenshot: {problem}", file=sys.stderr)
        return 2
    with progress("starting the servers", wanted()) as step, \
            started_targets(list(PROTOCOLS), step=step, browser=True) as targets:
        page = targets[0].page
        api_key = targets[0].api_key
        assert page is not None and api_key is not None
        step("taking the screenshot")
        with headless_chromium() as browser:
            png = optimised_png(shoot(browser, page.web, api_key))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(png)
    print(f"{args.output}: {len(png) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
