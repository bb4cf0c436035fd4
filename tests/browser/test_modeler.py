"""The browser modeler: a lane given a role that does not exist is refused on save, the error is
listed and marked on the diagram; once fixed the draft saves clean and deploys as a new version."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from engine.demo import DEMO_PASSWORD

LANE = "lane_district_bureau"


def log_in_as_city_bureau(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill("city")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/")


def select_lane(page: Page) -> None:
    """Click the lane's label band (its left edge), as a person would."""
    lane = page.locator(f'#df-canvas [data-element-id="{LANE}"]')
    lane.click(position={"x": 12, "y": 40})
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("district_bureau")


def test_modeler_refuses_unknown_role_then_deploys(page: Page, live_server: str, artifacts_dir: Path) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    log_in_as_city_bureau(page, live_server)
    page.goto(f"{live_server}/admin/processes/diagnosis_project/edit")
    expect(page.locator("#df-modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#df-revision")).to_have_text("草稿修订 1")
    expect(page.locator("#df-versions tr")).to_have_count(1)

    # The lane's role, in the diagflow group of the properties panel.
    select_lane(page)
    role = page.get_by_label("办理角色")
    expect(role).to_have_value("district_bureau")

    # Rename the lane to a label instead of a role key: the backend refuses that name.
    name = page.locator("#bio-properties-panel-name")
    name.fill("区县工信")
    expect(page.locator("#df-revision")).to_contain_text("有未保存的修改")
    expect(role).to_have_value("区县工信")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-status")).to_contain_text("已保存（修订 2），有")
    error = page.locator("#df-problems").get_by_role("button", name=re.compile(f"^{LANE}："))
    expect(error).to_be_visible()
    lane_on_canvas = page.locator(f'#df-canvas g.djs-element[data-element-id="{LANE}"]')
    expect(lane_on_canvas).to_have_class(re.compile(r"\bdf-error\b"))
    expect(page.locator(".df-error-badge")).to_have_count(1)
    page.locator("#df-canvas").click(position={"x": 5, "y": 5})
    error.click()
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("区县工信")
    page.screenshot(path=str(artifacts_dir / "modeler-1-error-marked.png"))

    # Fix it with the role picker, save clean, deploy.
    role.select_option("district_bureau")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-status")).to_have_text("已保存（修订 3），校验通过")
    expect(page.locator("#df-problems")).to_be_hidden()
    expect(lane_on_canvas).not_to_have_class(re.compile(r"\bdf-error\b"))

    page.get_by_role("button", name="发布").click()
    expect(page.locator("#df-status")).to_contain_text("已发布第 2 版")
    expect(page.locator("#df-versions tr").first).to_contain_text("第 2 版")
    expect(page.locator("#df-versions tr")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "modeler-2-deployed.png"), full_page=True)

    assert problems == [], "\n".join(problems)
