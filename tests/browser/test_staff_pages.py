"""Staff pages in Chromium: the inbox at 1366×768 and at phone width, task forms with an array
and money fields (a draft restored), the city dashboard's charts; keyboard focus stays visible and
no page breaks the Content-Security-Policy. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import update

from engine.models import TaskIndexRow
from tests.browser.test_walkthrough import log_in
from tests.support import Scenario
from tests.support_plan import RecoveryScenario, paid_application
from tests.webui.test_dashboard import add_plan

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def work(app) -> dict[str, str]:
    """A 2026 plan; three 历下区 filings confirmed after 1, 2 and 4 days, to review (one past its due time, as a model's dueWorkingDays would set,
    and flagged by the reminder sweep), a filing to make, a repayment to record."""
    engine = app.extensions["diagflow"]
    add_plan(engine, 2026)
    reviews = []
    for days in (1, 2, 4):
        project = Scenario(engine).start("provider_a").provider_files_contract()
        engine.clock.advance(timedelta(days=days))
        reviews.append(project.enterprise_confirms_filing())
    overdue = reviews[0].task_of("lixia_bureau", "review_filing")["id"]
    with engine.sessions.begin() as session:
        session.execute(update(TaskIndexRow).where(TaskIndexRow.task_uuid == overdue)
                        .values(due_at=engine.clock.now() - timedelta(hours=2)))
    engine.reminders.run()
    filing = Scenario(engine).start("provider_a").task_of("provider_a", "file_contract")["id"]
    case = RecoveryScenario(engine)
    case.city_records_finding(paid_application(case)).city_demands_repayment(50_000_00)
    return {"filing": filing, "repayment": case.task_of("lixia_finance", "record_repayment")["id"]}


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def fits_width(page: Page) -> bool:
    """Nothing sticks out sideways once the page has laid itself out again (charts redraw on resize)."""
    page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=5000)
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_inbox_task_forms_and_dashboard(page: Page, live_server: str, artifacts_dir: Path, work) -> None:
    problems = watch_console(page)
    log_in(page, live_server, "lixia_bureau")
    expect(page.locator(".stat-alert .stat-value")).to_have_text("1")
    page.get_by_label("排序").select_option("due")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"sort=due"))
    expect(page.locator(".inbox-table tbody tr").first.locator(".badge-overdue")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("全选本页任务").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.screenshot(path=artifacts_dir / "staff-inbox-1366.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    page.screenshot(path=artifacts_dir / "staff-inbox-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    page.context.clear_cookies()
    log_in(page, live_server, "provider_a")
    page.goto(f"{live_server}/tasks/{work['filing']}")
    page.get_by_label("合同金额（元）").fill("48,000.50")
    page.get_by_label("姓名").fill("张伟")
    page.get_by_role("button", name="添加一行").click()
    expect(page.locator(".array-row")).to_have_count(2)
    page.keyboard.type("李娜")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status").first).to_contain_text("草稿已保存")
    expect(page.locator(".array-row")).to_have_count(2)
    expect(page.get_by_label("合同金额（元）")).to_have_value("48000.50")
    page.screenshot(path=artifacts_dir / "staff-task-array.png", full_page=True)

    page.context.clear_cookies()
    log_in(page, live_server, "lixia_finance")
    page.goto(f"{live_server}/tasks/{work['repayment']}")
    amount = page.get_by_label("本次退回金额（元）")
    amount.fill("12.345")
    page.get_by_label("到账日期").fill("2026-03-10")
    expect(page.locator('[data-date-cn-for="field-repaid_on"]')).to_have_text("2026年3月10日")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#field-repaid_amount-error")).to_have_text("请输入金额（元），最多两位小数")
    expect(page.locator('[data-date-cn-for="field-repaid_on"]')).to_have_text("2026年3月10日")
    page.screenshot(path=artifacts_dir / "staff-task-money.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    page.screenshot(path=artifacts_dir / "staff-task-money-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    page.context.clear_cookies()
    log_in(page, live_server, "city")
    page.get_by_role("link", name="统计看板").click()
    for chart in ("#chart-pipeline", "#chart-days", "#chart-budget"):
        expect(page.locator(f"{chart}.chart-ready canvas")).to_be_visible()
    page.screenshot(path=artifacts_dir / "staff-dashboard-city.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    page.screenshot(path=artifacts_dir / "staff-dashboard-390.png", full_page=True)
    expected = [p for p in problems if "status of 422" in p]
    assert [p for p in problems if p not in expected] == []
