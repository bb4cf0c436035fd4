"""The instance page in Chromium: a subsidy application as its provider sees it, with the entries
of each task (experts' withheld) and the related project (screenshot to test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_walkthrough import log_in
from tests.support_subsidy import SubsidyScenario, completed_project


def test_application_page_shows_entries_and_related_records(app, live_server: str, page: Page,
                                                             artifacts_dir: Path) -> None:
    engine = app.extensions["diagflow"]
    project = completed_project(engine)
    application = SubsidyScenario(engine).start("provider_a")
    application.provider_applies([project]).district_approves()
    application.city_reviews(expert_count=3)
    for expert in application.experts_with_tasks():
        application.expert_scores(expert, 90, comment="专家意见：不应让申报人看到")

    log_in(page, live_server, "provider_a")
    page.goto(f"{live_server}/instances/{application.instance_id}")
    entries = page.locator("#entries")
    expect(entries.get_by_text("申报2026年度诊断项目资助。")).to_be_visible()
    expect(entries.get_by_text("评审内容不公开。")).to_have_count(3)
    expect(page.get_by_text("专家意见：不应让申报人看到")).to_have_count(0)
    related = page.locator("#related")
    related.get_by_role("link").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "instance-entries-related.png"), full_page=True)

    related.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/instances/{project.instance_id}")
    expect(page.locator("#related")).to_contain_text("已受理")
