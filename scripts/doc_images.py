"""Refresh the output pictures in docs/images from a demo run (charts as written, the map photographed).

Usage: ``python scripts/doc_images.py [DEMO_FOLDER]`` after ``stageplanner demo --out DEMO_FOLDER``
(default ``stageplanner-demo``). The map is opened in headless Chromium at 1280x720.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
CHARTS = {"weekly_capacity.png": "weekly-capacity.png", "shortage_cells.png": "shortage-cells.png",
          "reachable_capacity.png": "reachable-capacity.png"}


def main(demo: Path) -> None:
    plan_folder = demo / "optimise"
    for written, shown in CHARTS.items():
        shutil.copyfile(plan_folder / written, DOCS / shown)
        print(f"docs/images/{shown}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto((plan_folder / "map.html").resolve().as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(DOCS / "map.png"))
        browser.close()
    print("docs/images/map.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("stageplanner-demo"))
