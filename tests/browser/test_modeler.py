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


def save_elsewhere(page: Page, base_url: str) -> None:
    """Another editor's save, through the API with the page's own token."""
    token = page.locator('meta[name="api-token"]').get_attribute("content")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/api/processes/diagnosis_project/draft"
    draft = page.request.get(url, headers=headers).json()
    body = {key: draft[key] for key in ("revision", "bpmn", "forms", "decisions")}
    assert page.request.put(url, headers=headers, data=body).json()["revision"] == 2


def test_modeler_refuses_unknown_role_then_deploys(page: Page, live_server: str, artifacts_dir: Path) -> None:
    problems: list[str] = []
    # Chromium logs every non-2xx fetch; the one 409 provoked below is expected, nothing else.
    expected_409 = ["/api/processes/diagnosis_project/draft"]

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        conflict = "the server responded with a status of 409" in message.text
        if conflict and expected_409 and where.endswith(expected_409[0]):
            expected_409.pop()
            return
        problems.append(f"console error at {where}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    log_in_as_city_bureau(page, live_server)
    response = page.goto(f"{live_server}/admin/processes/diagnosis_project/edit")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe-inline" not in policy
    expect(page.locator("#df-modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#df-revision")).to_have_text("草稿修订 1")
    expect(page.locator("#df-versions tr")).to_have_count(1)

    # Someone else saves the draft meanwhile: this page's save is refused until it reloads.
    save_elsewhere(page, live_server)
    select_lane(page)
    page.locator("#bio-properties-panel-name").fill("区县工信")
    expect(page.locator("#df-revision")).to_contain_text("有未保存的修改")
    page.get_by_role("button", name="保存").click()
    conflict = page.get_by_role("alert").filter(has_text="有人已保存了更新的版本")
    expect(conflict).to_be_visible()
    conflict.get_by_role("button", name="重新加载").click()
    expect(page.locator("#df-modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#df-revision")).to_have_text("草稿修订 2")

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
    expect(page.locator("#df-status")).to_contain_text("已保存（修订 3），有")
    error = page.locator("#df-problems").get_by_role("button", name=re.compile(f"^{LANE}："))
    expect(error).to_be_visible()
    expect(error).to_contain_text(f"泳道「区县工信」({LANE}) 的名称不是已知角色：请在“办理角色”中选择")
    lane_on_canvas = page.locator(f'#df-canvas g.djs-element[data-element-id="{LANE}"]')
    expect(lane_on_canvas).to_have_class(re.compile(r"\bdf-error\b"))
    expect(page.locator(".df-error-badge")).to_have_count(1)
    page.locator("#df-canvas").click(position={"x": 5, "y": 5})
    error.click()
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("区县工信")
    page.screenshot(path=str(artifacts_dir / "modeler-1-error-marked.png"))

    # Fix it with the role picker; the district's review gets a due time of 3 working days.
    role.select_option("district_bureau")
    page.locator('#df-canvas [data-element-id="review_filing"]').click()
    page.get_by_label("办理期限（工作日）").fill("3")
    expect(page.get_by_label("办理期限（工作日）")).to_have_value("3")
    page.screenshot(path=str(artifacts_dir / "modeler-2-user-task.png"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-status")).to_have_text("已保存（修订 4），校验通过")
    expect(page.locator("#df-problems")).to_be_hidden()
    expect(lane_on_canvas).not_to_have_class(re.compile(r"\bdf-error\b"))

    page.get_by_role("button", name="发布").click()
    expect(page.locator("#df-status")).to_have_text("已发布第 2 版：修改 1：review_filing")
    expect(page.locator("#df-versions tr").first).to_contain_text("第 2 版")
    expect(page.locator("#df-versions tr")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "modeler-3-deployed.png"), full_page=True)

    assert expected_409 == [], "the conflicting save was not refused"
    assert problems == [], "\n".join(problems)


def open_modeler(page: Page, base_url: str, process_id: str) -> None:
    page.goto(f"{base_url}/admin/processes/{process_id}/edit")
    expect(page.locator("#df-modeler")).to_have_attribute("data-ready", "true")


def test_modeler_timer_helper_forms_and_decision_tables(page: Page, live_server: str, artifacts_dir: Path) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in_as_city_bureau(page, live_server)

    # A timer written with the calendar functions: data names stay bare, a date is quoted.
    open_modeler(page, live_server, "subsidy_plan")
    page.locator('#df-canvas [data-element-id="announcement_period"]').click()
    helper = page.locator(".df-timer-helper")
    expect(helper).to_contain_text("working_period_end(published_at, announcement_working_days)")
    helper.get_by_label("日历函数").select_option("add_working_days")
    helper.get_by_label("参数 start").fill("2026-10-08")
    helper.get_by_label("参数 n").fill("5")
    expect(helper.locator(".df-preview code")).to_have_text('add_working_days("2026-10-08", 5)')
    helper.get_by_label("参数 start").fill("published_at")
    expect(helper.locator(".df-preview code")).to_have_text("add_working_days(published_at, 5)")
    helper.get_by_role("button", name="写入定时器（timeDate）").click()
    expect(helper.locator(".df-current code")).to_have_text("timeDate: add_working_days(published_at, 5)")
    page.screenshot(path=str(artifacts_dir / "modeler-4-timer-helper.png"))
    # The whole model went through bpmn-js and back: the server finds nothing missing.
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-status")).to_have_text("已保存（修订 2），校验通过")

    # A form: the preview follows the JSON; JSON that does not parse is not saved.
    open_modeler(page, live_server, "star_rating")
    page.get_by_role("tab", name="表单").click()
    page.get_by_label("表单文件").select_option("choose_year.schema.json")
    preview = page.locator("#df-form-preview")
    expect(preview.get_by_role("heading", level=3)).to_be_visible()
    text = page.get_by_label("JSON Schema")
    schema = text.input_value()
    text.fill(schema.replace('"title": "确定评定年度"', '"title": "确定评定年度（预览随输入更新）"', 1))
    expect(preview.get_by_role("heading", level=3)).to_have_text("确定评定年度（预览随输入更新）")
    text.fill(schema[:-3])
    expect(page.locator("#df-form-status")).to_contain_text("JSON 有误")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-problems")).to_contain_text("choose_year.schema.json：JSON 有误")
    text.fill(schema)
    expect(page.locator("#df-form-status")).to_have_text("JSON 格式正确")

    # A decision table in its own tab, saved back with the model.
    page.get_by_role("tab", name="决策表：stars.dmn").click()
    expect(page.locator(".tjs-table").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "modeler-5-decision-table.png"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#df-status")).to_have_text("已保存（修订 2），校验通过")
    assert problems == [], "\n".join(problems)
