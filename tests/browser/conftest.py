"""The console tested in Debian's Chromium through Playwright, against the stack `make run` starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.stack import Stack, start_stack

# Every assertion waits for what the page shows, up to this long: on a loaded two-core machine a form
# round trip through the console and an API can take longer than Playwright's five-second default.
expect.set_options(timeout=30_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.timeout(600))
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
                )


@pytest.fixture(autouse=True)
def _patient_pages(page):  # noqa: ANN001, ANN202 (pytest-playwright's own fixture)
    # Clicks and navigations wait as long as assertions do, for the same reason.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    return page


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    # Debian's Chromium, never a browser downloaded by `playwright install`.
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args() -> dict:
    return {"viewport": {"width": 1280, "height": 900}, "locale": "id-ID", "accept_downloads": True}


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Stack]:
    """One stack for every browser test; each test works in regions and cohorts of its own."""
    started, stop = start_stack(tmp_path_factory.mktemp("console-stack"), redis_url)
    try:
        yield started
    finally:
        stop()
