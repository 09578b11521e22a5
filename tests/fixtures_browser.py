"""Headless Chromium (Debian's `chromium` package) driven by Playwright, with the network off.

Playwright's wheel carries its own driver, so nothing is downloaded: it drives the system
browser through `executable_path`. Every request other than file:// is aborted and recorded,
so a page that needs the network shows up as a blank graph plus a non-empty `blocked` list.
Dialogs (alert/confirm/prompt) are recorded and dismissed, so injected script is visible.

    def test_x(open_page):
        view = open_page(path)           # a BrowserPage
        view.page.evaluate("1 + 1")
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["playwright_sync", "browser_context", "open_page"]  # what `from tests.fixtures_browser import *` re-exports

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def chromium_path() -> str | None:
    """The system Chromium (KG_CHROMIUM overrides), or None."""
    for cand in (os.environ.get("KG_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if cand and (found := shutil.which(cand)):
            return found
    return None


@dataclass
class BrowserPage:
    page: object  # playwright.sync_api.Page
    blocked: list[str] = field(default_factory=list)  # non-file URLs the page tried to load
    dialogs: list[str] = field(default_factory=list)  # "alert: message"
    errors: list[str] = field(default_factory=list)  # uncaught page errors


@pytest.fixture(scope="session")
def playwright_sync():
    """The session's one Playwright (sync API). A second `sync_playwright()` while one is running
    fails ("Sync API inside the asyncio loop"), so every browser fixture launches from this one."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    if chromium_path() is None:
        pytest.skip("no chromium on PATH: apt-get install chromium fonts-noto-cjk (make system-deps)")
    with sync_api.sync_playwright() as p:
        yield p


def launch(playwright, profile: Path, **options):
    """A persistent Chromium context of the system browser (fresh --user-data-dir `profile`)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 900}, service_workers="block", **options)


@pytest.fixture(scope="session")
def browser_context(playwright_sync, tmp_path_factory):
    """One offline Chromium context (fresh --user-data-dir) for the session."""
    ctx = launch(playwright_sync, tmp_path_factory.mktemp("chromium-profile"))
    ctx.set_offline(True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def open_page(browser_context):
    """open_page(path) -> BrowserPage loaded from file://, network blocked; pages closed after the test."""
    opened = []

    def _open(path: str | Path, wait_ready: str | None = "window.kg && window.kg.ready",
              timeout_ms: int = 60_000) -> BrowserPage:
        page = browser_context.new_page()
        view = BrowserPage(page)
        opened.append(page)

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                view.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("dialog", lambda d: (view.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: view.errors.append(str(e)))
        page.goto(Path(path).resolve().as_uri())
        if wait_ready:
            page.wait_for_function(wait_ready, timeout=timeout_ms)
        return view

    yield _open
    for page in opened:
        page.close()
