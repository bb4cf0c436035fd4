"""A member of the public, signed out, reads the subsidy plan's announcement and files a
real-name objection with a PDF scan, in Chromium; screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, expect
from sqlalchemy import select

from engine.records.plans import Objection
from tests.support_plan import at
from tests.webui.test_public import PDF, announce_plan

TITLE = "关于2026年度数字化转型诊断项目资助计划的公示"


def test_the_public_files_an_objection_on_the_announcement_page(
    page: Page, live_server: str, app, clock, artifacts_dir: Path, tmp_path: Path
) -> None:
    engine = app.extensions["diagflow"]
    at(clock, "2026-02-10T09:00:00+08:00")
    plan = announce_plan(engine, "2026-02-12T10:00:00+08:00")
    at(clock, "2026-02-13T15:00:00+08:00")  # Friday: 2/13, Sat 2/14, 2/24 and 2/25 are left
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation (inline script or style) shows up here
            problems.append(f"console error at {page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error at {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    def shot(name: str) -> None:
        page.screenshot(path=str(artifacts_dir / f"public-{name}.png"), full_page=True)

    page.goto(f"{live_server}/public/")
    expect(page.get_by_role("heading", level=1, name="公示公告")).to_be_visible()
    expect(page.get_by_text("公示中 · 剩余 4 个工作日")).to_be_visible()
    shot("1-announcements")

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("#working-days-left")).to_have_text("4")
    expect(page.get_by_text("2026年2月12日 至 2026年2月25日（5 个工作日）")).to_be_visible()
    expect(page.get_by_role("cell", name="50,000.00")).to_be_visible()
    shot("2-announcement")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("2-announcement-phone")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.get_by_role("link", name="在线提出实名异议").click()
    expect(page.get_by_role("heading", level=1, name="提出实名异议")).to_be_visible()
    expect(page.get_by_role("heading", name="保密与实名须知")).to_be_visible()
    organisation_fields = page.get_by_role("group", name="以单位名义提出时填写")
    expect(organisation_fields).to_be_hidden()  # public.js shows the chosen kind's fields only
    page.get_by_label("单位", exact=True).focus()
    page.keyboard.press("Space")  # keyboard only
    expect(organisation_fields).to_be_visible()
    expect(page.get_by_role("group", name="以个人名义提出时填写")).to_be_hidden()
    page.get_by_label("单位名称").fill("济南同业信息技术有限公司")
    page.get_by_label("统一社会信用代码").fill("91370102MA3DX0005X")
    page.get_by_label("联系人").fill("刘洋")
    organisation_fields.get_by_label("联系电话").fill("0531-88001234")
    scan = tmp_path / "异议书.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("加盖单位公章的异议书扫描件").set_input_files(scan)
    page.get_by_label("异议的公示项目").select_option(index=1)
    page.get_by_label("异议事实和理由").fill("该服务商申报的诊断项目中，企业满意度调查为服务商代填，申报材料不实。")
    shot("3-objection-form")

    page.get_by_role("button", name="提交实名异议").click()
    expect(page).to_have_url(re.compile(r"/public/announcements/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("异议已提交")
    shot("4-objection-filed")
    page.get_by_role("navigation", name="信息公开栏目").get_by_role("link", name="服务商名单").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("2026年第一批（演示）"))).to_be_visible()
    shot("5-providers")

    with engine.sessions() as session:
        [objection] = session.scalars(select(Objection)).all()
        assert (objection.objector_name, objection.credit_code) == ("济南同业信息技术有限公司", "91370102MA3DX0005X")
    assert plan.waiting_at() == ["handle_objection"]
    assert problems == []

