"""The README's screenshots can be taken again by anyone: docs/screenshots.py runs from a clean state."""

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.chromium import chromium_or_skip

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "screenshots.py"


@pytest.mark.slow
def test_the_screenshot_script_photographs_every_picture_the_readme_shows(tmp_path):
    chromium_or_skip()
    subprocess.run([sys.executable, str(SCRIPT), "--output", str(tmp_path)], cwd=ROOT, check=True, timeout=300)

    sizes = {path.name: Image.open(path).size for path in tmp_path.glob("*.png")}
    assert sizes["term-desktop.png"] == (1280, 900)
    assert sizes["term-phone.png"] == (390, 844)
    assert sizes["proposal-review.png"] == (1280, 900)
    width, height = sizes["pdf-page.png"]
    assert height > width  # a portrait page
    readme = (ROOT / "README.md").read_text()
    for name in sizes:
        assert f"docs/screenshots/{name}" in readme
        # Not a blank picture: a page of text has both dark and light pixels.
        darkest, lightest = Image.open(tmp_path / name).convert("L").getextrema()
        assert darkest < 80 and lightest > 200, name
