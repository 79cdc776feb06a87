"""Debian's Chromium, headless, as the browser tests and docs/screenshots.py launch it: never a
browser that Playwright downloads, and nothing it would fetch on its own."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
