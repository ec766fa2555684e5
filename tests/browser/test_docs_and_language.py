"""Swagger UI for every service, served by the console itself, and the English switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.pages import look, sign_in


def test_swagger_ui_works_offline_and_the_console_speaks_english_on_request(page: Page, stack):
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    sign_in(page, stack, "operator-ani")
    for service in ("assessment", "mou", "mentoring", "notifications"):
        page.goto(f"{stack.console}/docs/{service}")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20000)
        expect(page.locator(".swagger-ui")).to_contain_text("/openapi.json")
    expect(page.locator(".swagger-ui")).to_contain_text("/deliveries/{delivery_id}/resend")
    look(page, "docs")
    assert hosts <= {"127.0.0.1"}, f"the console reached beyond itself: {hosts}"

    page.goto(f"{stack.console}/regions")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Region register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    look(page, "regions-english")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("link", name="Ringkasan")).to_be_visible()
