"""Take the README's screenshots again, from the demo glossary, so the pictures never go stale.

    .venv/bin/python docs/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python docs/screenshots.py --output /tmp/shots

It builds the demo in a throwaway SQLite database, serves it on a free port of 127.0.0.1, and
photographs it in Debian's headless Chromium through Playwright: a term page on a desktop and on
a phone, a proposal as a reviewer sees it, and the first term page of the PDF (the PDF is made by
`manage.py export_pdf` and its page drawn by pdfium). Nothing is sent anywhere else.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

DEMO_PASSWORD = "common-ground-demo"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TERM = "omnichannel"  # the demo's clearest case of one word, two meanings
REVIEWER = "ivan"
PROPOSAL = "Agile"  # a change waiting in the reviewer's queue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch / 'demo.sqlite3'}",
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        manage("migrate", "--noinput", env=env)
        address = f"127.0.0.1:{free_port()}"
        manage("load_demo", "--address", address, env=env)
        pdf = scratch / "glossary.pdf"
        manage("export_pdf", str(pdf), env=env)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", address],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(f"http://{address}/accounts/login/")
            photograph_pages(f"http://{address}", args.output)
        finally:
            server.terminate()
            server.wait(timeout=10)
        draw_pdf_page(pdf, args.output / "pdf-page.png")
    for picture in sorted(args.output.glob("*.png")):
        print(f"Wrote {picture}")


def manage(*arguments: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def photograph_pages(base_url: str, output: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        def signed_in(username: str, viewport: dict):
            page = browser.new_context(base_url=base_url, viewport=viewport).new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base_url}/")
            return page

        desktop = signed_in("ada", DESKTOP)
        desktop.goto(f"/terms/{TERM}/")
        desktop.screenshot(path=output / "term-desktop.png")

        phone = signed_in("ada", PHONE)
        phone.goto(f"/terms/{TERM}/")
        phone.screenshot(path=output / "term-phone.png")

        reviewer = signed_in(REVIEWER, DESKTOP)
        reviewer.goto("/proposals/awaiting-me/")
        reviewer.get_by_role("link", name=re.compile(rf"^#\d+ {PROPOSAL}$")).first.click()
        reviewer.wait_for_load_state()
        reviewer.screenshot(path=output / "proposal-review.png")
        browser.close()


def draw_pdf_page(pdf: Path, picture: Path) -> None:
    """The PDF page with the photographed term's heading (a line of its own), at about 100 dpi."""
    import pypdfium2

    heading = TERM.replace("-", " ").capitalize()
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            lines = [line.strip() for line in page.get_textpage().get_text_range().splitlines()]
            if heading in lines:
                page.render(scale=100 / 72).to_pil().save(picture)
                return
        raise SystemExit(f"No page of {pdf} holds {heading}.")
    finally:
        document.close()


if __name__ == "__main__":
    main()
