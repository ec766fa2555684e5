"""What every browser test does on a page: sign in, look (screenshot), check accessibility, wait for a change."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.stack import PASSWORD, Stack

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The README's pictures are refreshed only when asked, so an ordinary run leaves the tree clean.
UPDATE_SCREENSHOTS = os.environ.get("CERDAS_UPDATE_SCREENSHOTS") == "1"
BLOCKING = {"serious", "critical"}


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("CERDAS_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts" / "browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, stack: Stack, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{stack.console}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_label("Nama pengguna")).to_be_visible()


def check_accessibility(page: Page, name: str) -> None:
    """axe-core on the page as it stands: no serious or critical violation in the console's own markup.
    Swagger UI's widget is vendored as published and left out (its theme and nested controls are upstream's)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text("utf-8"))  # evaluated by the browser's debugger, so the page's CSP allows it
    result = page.evaluate(
        "async () => await window.axe.run({exclude: [['#swagger-ui']]}, {resultTypes: ['violations']})"
    )
    blocking = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    (artifacts_dir() / f"{name}.axe.json").write_text(json.dumps(result["violations"], indent=2))
    assert not blocking, f"accessibility violations on {name}: {json.dumps(blocking, indent=2)}"


def look(page: Page, name: str, *, readme: str | None = None) -> None:
    """Screenshot into the run's artefacts (and the README's picture when asked), then the accessibility check."""
    page.wait_for_load_state("networkidle")
    shot = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    if readme and UPDATE_SCREENSHOTS:
        # The README shows what a person sees on opening the page: the first screenful.
        target = ROOT / "docs" / "screenshots" / readme
        target.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(target), full_page=False)
    check_accessibility(page, name)


def reload_until(page: Page, text: str | re.Pattern[str] | Locator, timeout: float = 60.0) -> None:
    """Reload until the page shows ``text`` (or the locator): the change it waits for happens in another process."""
    deadline = time.monotonic() + timeout
    locator = text if isinstance(text, Locator) else page.get_by_text(text).first
    while True:
        if locator.is_visible():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear on {page.url} within {timeout}s")
        page.wait_for_timeout(500)
        page.reload()
