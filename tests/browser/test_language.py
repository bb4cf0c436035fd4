"""The language switch in Chromium: the inbox in English (screenshot to test-artifacts/), a date
field written the English way as it changes, and back to Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_walkthrough import log_in
from tests.support import Scenario


def test_inbox_in_english_and_back(app, live_server: str, page: Page, artifacts_dir: Path) -> None:
    task = Scenario(app.extensions["diagflow"]).start("provider_a").task_of("provider_a", "file_contract")
    log_in(page, live_server, "provider_a")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("My tasks"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".user-role")).to_have_text("Provider")
    expect(page.get_by_role("columnheader", name="Due")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "inbox-english.png"), full_page=True)

    page.goto(f"{live_server}/tasks/{task['id']}")
    page.locator('input[type="date"]').first.fill("2026-03-02")
    expect(page.locator(".date-cn").first).to_have_text("2 Mar 2026")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", level=1, name=re.compile("我的待办"))).to_be_visible()
