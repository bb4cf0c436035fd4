"""A diagnosis project walked through the web pages by the three demo users, in one browser tab."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from engine.demo import DEMO_PASSWORD, USERS

ENTERPRISE = "济南明泉精密机械有限公司"
TASK_URL = re.compile(r"/tasks/[^/?#]+$")
INSTANCE_URL = re.compile(r"/instances/\d+$")


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1, name=re.compile("我的待办"))).to_be_visible()
    expect(page.locator(".user-name")).to_have_text(USERS[username][0])


def log_out(page: Page, base_url: str) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{base_url}/login")
    expect(page.get_by_role("status")).to_have_text("已安全退出")


def open_task(page: Page, name: str) -> None:
    """Open the task from the inbox by its link."""
    page.get_by_role("link", name=name).click()
    expect(page).to_have_url(TASK_URL)
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def submit_task(page: Page, name: str) -> None:
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(INSTANCE_URL)
    expect(page.get_by_role("status")).to_have_text(f"「{name}」已提交")


def test_diagnosis_project_walkthrough(page: Page, live_server: str, artifacts_dir: Path) -> None:
    problems: list[str] = []
    # Chromium reports any non-2xx page load on the console; the one 422 the test provokes
    # below (the review form submitted empty) is expected, everything else is a problem.
    expected_422: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if where in expected_422 and message.text.startswith(
            "Failed to load resource: the server responded with a status of 422"
        ):
            expected_422.remove(where)
            return
        problems.append(f"console error at {where or page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error at {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    def shot(name: str) -> None:
        page.screenshot(path=str(artifacts_dir / f"walkthrough-{name}.png"), full_page=True)

    # 1. The provider starts a project and files the contract.
    log_in(page, live_server, "provider_a")
    shot("1-provider-inbox")
    page.get_by_role("button", name="发起：数字化转型诊断项目").click()
    expect(page).to_have_url(TASK_URL)
    expect(page.get_by_role("heading", level=1, name="填报诊断合同备案")).to_be_visible()

    enterprise = page.get_by_role("combobox", name="企业", exact=True)
    option = enterprise.locator("option", has_text=ENTERPRISE)
    expect(option).to_have_count(1)
    enterprise.select_option(label=option.inner_text().strip())
    page.get_by_label("合同编号").fill("JNZD-2026-001")
    page.get_by_label("合同签订日期").fill("2026-03-01")
    page.get_by_label("合同金额（元）").fill("48000")
    row = page.get_by_role("group", name="第 1 行")
    row.get_by_label("姓名").fill("张伟")
    row.get_by_label("职务/岗位").fill("诊断组长")
    row.get_by_label("手机号码").fill("13800000001")
    shot("2-provider-filing-form")
    submit_task(page, "填报诊断合同备案")
    expect(page.locator(".page-head .status")).to_have_text("办理中")
    expect(page.get_by_role("cell", name="企业确认联合备案")).to_be_visible()
    instance_url = page.url
    log_out(page, live_server)

    # 2. The enterprise confirms the joint filing.
    log_in(page, live_server, "enterprise_a")
    shot("3-enterprise-inbox")
    open_task(page, "企业确认联合备案")
    page.get_by_role("radiogroup", name="确认联合备案").get_by_role("radio", name="确认", exact=True).check()
    submit_task(page, "企业确认联合备案")
    log_out(page, live_server)

    # 3. The district bureau first forgets the decision, then accepts the filing.
    log_in(page, live_server, "lixia_bureau")
    shot("4-bureau-inbox")
    open_task(page, "区县审核备案")
    task_url = page.url
    expected_422.append(task_url)
    with page.expect_response(lambda r: r.url == task_url and r.request.method == "POST") as posted:
        page.get_by_role("button", name="提交").click()
    assert posted.value.status == 422
    expect(page).to_have_url(task_url)
    decision = page.get_by_role("radiogroup", name="审核结论")
    expect(decision.get_by_text("请选择此项")).to_be_visible()
    expect(decision.get_by_role("radio", name="受理备案")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("提交的内容有 1 处需要修改")
    shot("5-bureau-review-error")
    decision.get_by_role("radio", name="受理备案").check()
    page.get_by_label("审核意见").fill("材料齐全，同意备案。")
    submit_task(page, "区县审核备案")
    log_out(page, live_server)

    # 4. The provider submits the diagnosis report.
    log_in(page, live_server, "provider_a")
    shot("6-provider-inbox-report")
    open_task(page, "提交诊断报告")
    page.get_by_role("radiogroup", name="数字化水平等级").get_by_role("radio", name="二级（40–60分）").check()
    page.get_by_label("评测得分").fill("56.5")
    page.get_by_label("现状与问题诊断").fill("生产设备联网率低，订单与排产依靠人工表格。")
    page.get_by_label("转型建议（一企一策）").fill("分两期建设设备联网与 MES，一期打通订单到排产。")
    submit_task(page, "提交诊断报告")
    log_out(page, live_server)

    # 5. The enterprise confirms its self-assessment and rates the service.
    log_in(page, live_server, "enterprise_a")
    shot("7-enterprise-inbox-assessment")
    open_task(page, "确认自评估并评价满意度")
    page.get_by_role("checkbox", name="已在服务商指导下完成两化融合和数字化转型自评估自诊断").check()
    page.get_by_role("radiogroup", name="满意度评价").get_by_role("radio", name="满意", exact=True).check()
    page.get_by_label("评价意见").fill("服务专业，建议切实可行。")
    shot("8-enterprise-assessment-form")
    submit_task(page, "确认自评估并评价满意度")

    # 6. The project is complete.
    assert page.url == instance_url
    expect(page.locator(".page-head .status")).to_have_text("已办结")
    expect(page.get_by_text("没有待办任务，流程已办结。")).to_be_visible()
    expect(page.get_by_text("流程办结")).to_be_visible()
    shot("9-completed-instance")
    log_out(page, live_server)

    assert problems == []
