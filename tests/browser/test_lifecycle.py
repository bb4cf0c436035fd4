"""The whole lifecycle through the pages, in Chromium, one demo user per role: provider_a files a
diagnosis project with enterprise_a, lixia_bureau accepts the filing, the report (with a PDF) is
submitted and rated, provider_a applies for the subsidy, the district bureau and finance review it,
the city re-reviews it (the eight conditions of 第十五条 shown), three experts score it, the city
plans and announces it, a real-name organisation objects on the public page with a scan, the city
handles the objection, issues the plan and requests the funds, city finance releases them, the
district's finance pays the provider and the provider sees the payment.

Every user task is done as a user would: sign in, open the task from the inbox (or from the
instance page the last submission led to), fill the form, press 提交. The one shortcut: the clock
is moved (the live server shares the test's engine and its movable clock) and the timer sweep run
with that engine, as the scheduler would, so the 5-working-day announcement period ends without
waiting five days; a move past the session's idle limit signs the user out, so each step after a
move signs in again. Nothing is seeded: the demo data's open campaign covers the filing.
Screenshots of each role's inbox holding its task and of the public announcement go to
test-artifacts/lifecycle-*.png.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.browser.test_walkthrough import INSTANCE_URL, TASK_URL, log_in
from tests.webui.test_public import PDF

PROVIDER = "济南数智诊断科技有限公司"
ENTERPRISE = "济南明泉精密机械有限公司"
ANNOUNCEMENT = "关于2026年度数字化转型诊断项目资助计划的公示"
OBJECTOR = "济南同业信息技术有限公司"
CONDITIONS = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"]  # 第十五条


def test_whole_lifecycle_through_the_pages(
    page: Page, live_server: str, app, clock, artifacts_dir: Path, tmp_path: Path
) -> None:
    engine = app.extensions["diagflow"]
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation or a failed request shows up here
            problems.append(f"console error at {page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error at {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=str(artifacts_dir / f"lifecycle-{next(shots):02d}-{name}.png"), full_page=True)

    def at(moment: str) -> None:
        """Shortcut: move the shared engine clock and run the timer sweep, as the scheduler would."""
        clock.set(datetime.fromisoformat(moment))
        engine.timers.sweep()

    def sign_in(username: str) -> None:
        page.goto("about:blank")  # the last page's own requests (the diagram) end before signing out
        page.context.clear_cookies()
        log_in(page, live_server, username)

    def open_task(name: str, key: str, inbox_shot: str | None = None) -> None:
        """The task is in the signed-in user's inbox, on the row of its project; open it."""
        row = page.locator(".inbox-table tbody tr", has=page.get_by_role("link", name=name, exact=True)).filter(
            has_text=key)
        expect(row).to_have_count(1)
        if inbox_shot:
            shot(inbox_shot)
        row.get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(TASK_URL)
        expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()

    def submit(name: str, to_inbox: bool = False) -> None:
        """Submit the task; the user lands on the instance, or on the inbox when the instance is
        theirs to read only while they hold a task in it (experts, a district in a city-wide plan)."""
        page.get_by_role("button", name="提交", exact=True).click()
        expect(page).to_have_url(f"{live_server}/" if to_inbox else INSTANCE_URL)
        expect(page.get_by_role("status").first).to_have_text(f"「{name}」已提交")

    def radio(group: str, option: str) -> None:
        page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True).check()

    def start(process: str, task: str) -> None:
        page.get_by_role("button", name=f"发起：{process}").click()
        expect(page).to_have_url(TASK_URL)
        expect(page.get_by_role("heading", level=1, name=task)).to_be_visible()

    def business_key() -> str:
        """The project number in the task page's header (links to the instance)."""
        return page.locator(".page-head .meta a").first.inner_text().strip()

    # 1. 第十一条: provider_a files the diagnosis contract with enterprise_a.
    at("2026-03-03T09:30:00+08:00")
    sign_in("provider_a")
    start("数字化转型诊断项目", "填报诊断合同备案")
    project = business_key()
    enterprise = page.get_by_role("combobox", name="企业", exact=True)
    enterprise.select_option(label=enterprise.locator("option", has_text=ENTERPRISE).inner_text().strip())
    page.get_by_label("合同编号").fill("JNZD-2026-011")
    page.get_by_label("合同签订日期").fill("2026-03-02")
    page.get_by_label("合同金额（元）").fill("48000")
    row = page.get_by_role("group", name="第 1 行")
    row.get_by_label("姓名").fill("张伟")
    row.get_by_label("职务/岗位").fill("诊断组长")
    row.get_by_label("手机号码").fill("13800000001")
    page.get_by_role("button", name="添加一行").click()
    row = page.get_by_role("group", name="第 2 行")
    row.get_by_label("姓名").fill("李娜")
    row.get_by_label("职务/岗位").fill("数据分析师")
    row.get_by_label("手机号码").fill("13900000002")
    submit("填报诊断合同备案")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"项目 {project}")

    # The enterprise confirms the joint filing; the district bureau accepts it.
    sign_in("enterprise_a")
    open_task("企业确认联合备案", project, "enterprise-inbox")
    radio("确认联合备案", "确认")
    submit("企业确认联合备案")
    sign_in("lixia_bureau")
    open_task("区县审核备案", project, "district-bureau-inbox")
    radio("审核结论", "受理备案")
    page.get_by_label("审核意见").fill("材料齐全，同意备案。")
    submit("区县审核备案")

    # 2. 第十二条: the report, with its PDF through the file field; the enterprise rates the service.
    at("2026-03-05T16:00:00+08:00")
    sign_in("provider_a")
    open_task("提交诊断报告", project, "provider-inbox")
    radio("数字化水平等级", "二级（40–60分）")
    page.get_by_label("评测得分").fill("56.5")
    page.get_by_label("现状与问题诊断").fill("生产设备联网率低，订单与排产依靠人工表格。")
    page.get_by_label("转型建议（一企一策）").fill("分两期建设设备联网与 MES，一期打通订单到排产。")
    report = tmp_path / "诊断报告.pdf"
    report.write_bytes(PDF)
    page.get_by_label("诊断报告（PDF）").set_input_files(report)
    expect(page.locator(".field-attachment .attachment-status")).to_have_text("已上传 诊断报告.pdf")
    expect(page.get_by_role("link", name="诊断报告.pdf")).to_be_visible()
    submit("提交诊断报告")
    sign_in("enterprise_a")
    open_task("确认自评估并评价满意度", project)
    page.get_by_role("checkbox", name="已在服务商指导下完成两化融合和数字化转型自评估自诊断").check()
    radio("满意度评价", "满意")
    page.get_by_label("评价意见").fill("服务专业，建议切实可行。")
    submit("确认自评估并评价满意度")
    expect(page.locator(".page-head .status")).to_have_text("已办结")

    # 3. 第十四条（二）: provider_a applies for the subsidy of its completed project.
    at("2026-03-06T10:00:00+08:00")
    sign_in("provider_a")
    start("诊断项目资助申请", "提交资助申报材料")
    application = business_key()
    offered = page.get_by_role("group", name="申报项目").get_by_role("checkbox")
    expect(offered).to_have_count(1)  # the provider's one completed project, not yet applied for
    expect(offered).to_have_accessible_name(re.compile(f"{project}.*{ENTERPRISE}"))
    offered.check()
    materials = page.get_by_role("group", name="已提交的申报材料")
    for box in materials.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("申报联系人").fill("王磊")
    page.get_by_label("联系电话").fill("13700000003")
    page.get_by_label("申报说明").fill("申报2026年度诊断项目资助。")
    page.get_by_role("checkbox", name=re.compile("本单位对申报材料的准确性和真实性负责")).check()
    submit("提交资助申报材料")

    # 第十四条（三）: the district bureau and the district finance bureau both approve.
    sign_in("lixia_bureau")
    open_task("区县工信主管部门初审", application)
    radio("区县工信主管部门初审意见", "初审通过，联合报送市级")
    page.get_by_label("区县工信主管部门审核意见").fill("材料齐全，同意报送")
    submit("区县工信主管部门初审")
    sign_in("lixia_finance")
    open_task("区县财政部门初审", application, "district-finance-inbox")
    radio("区县财政部门初审意见", "初审通过，联合报送市级")
    page.get_by_label("区县财政部门审核意见").fill("初审通过，联合报送市级")
    submit("区县财政部门初审")

    # 第十四条（四）, 第十五条: the city re-reviews, with the eight conditions shown.
    sign_in("city")
    open_task("市级材料复核", application, "city-inbox")
    numbered = page.locator(".readonly-label", has_text=re.compile(r"^（[一二三四五六七八]）"))
    conditions = page.locator(".field-readonly").filter(has=numbered)
    expect(conditions).to_have_count(8)
    labels = [label[:3] for label in conditions.locator(".readonly-label").all_inner_texts()]
    assert labels == CONDITIONS
    values = conditions.locator(".readonly-value").all_inner_texts()
    assert [value.split("：")[0] for value in values] == ["符合"] * 7 + ["待确认"], values
    assert PROVIDER in values[0] and project in values[1]
    shot("city-review-conditions")
    radio("满足市工业和信息化局对诊断项目资助的其他要求（第十五条（八））", "满足")
    page.get_by_label("其他要求核对说明").fill("已核对企业申报承诺书和绩效目标表")
    radio("复核结论", "复核通过，组织专家评审")
    page.get_by_label("评审专家人数").fill("3")
    submit("市级材料复核")

    # Three experts score it (the panel the engine picked: expert_1 … expert_3).
    at("2026-03-09T09:00:00+08:00")
    for expert, score in (("expert_1", "95"), ("expert_2", "90"), ("expert_3", "92.5")):
        sign_in(expert)
        open_task("专家评审打分", application, "expert-inbox" if expert == "expert_1" else None)
        radio("评审方式", "评分")
        page.get_by_label("评审得分").fill(score)
        page.get_by_label("评审意见").fill("诊断报告条理清晰，建议可行。")
        submit("专家评审打分", to_inbox=True)

    sign_in("expert_4")  # not on the panel: nothing of this application
    expect(page.locator(".inbox-table tbody tr").filter(has_text=application)).to_have_count(0)

    # 4. 第十四条（五）–（六）: the city plans within the budget and announces the plan.
    at("2026-03-10T10:00:00+08:00")  # a Tuesday: the period will be Tue 3/10 … Mon 3/16
    sign_in("city")
    start("年度诊断项目资助计划", "编制年度资助计划")
    plan = business_key()
    page.get_by_label("资助年度").fill("2026")
    page.get_by_label("计划名称").fill("2026年度数字化转型诊断项目资助计划")
    page.get_by_label("年度预算（元）").fill("300000")
    submit("编制年度资助计划")
    page.get_by_role("link", name="确认资助计划", exact=True).click()  # from the instance's current tasks
    expect(page.get_by_role("heading", level=1, name="确认资助计划")).to_be_visible()
    radio("确认结论", "确认资助计划")
    submit("确认资助计划")
    page.get_by_role("link", name="我的待办").click()
    open_task("发布公示", plan)
    expect(page.get_by_label("公示标题")).to_have_value(ANNOUNCEMENT)
    page.get_by_label("异议受理处室").fill("市工业和信息化局数字经济处")
    page.get_by_label("联系电话").fill("0531-66608000")
    page.get_by_label("通讯地址").fill("济南市市中区龙奥北路 1 号")
    page.get_by_label("电子邮箱").fill("szjjc@example.gov.cn")
    submit("发布公示")

    # 5. The public (signed out) reads the announcement and a real-name organisation objects.
    at("2026-03-11T15:00:00+08:00")
    page.context.clear_cookies()
    page.goto(f"{live_server}/public/")
    page.get_by_role("link", name=ANNOUNCEMENT).click()
    expect(page.get_by_role("heading", level=1, name=ANNOUNCEMENT)).to_be_visible()
    expect(page.get_by_text("2026年3月10日 至 2026年3月16日（5 个工作日）")).to_be_visible()
    item = page.locator("table.items tbody tr")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(application)
    expect(item).to_contain_text(PROVIDER)
    expect(item).to_contain_text(ENTERPRISE)
    expect(item.get_by_role("cell", name="50,000.00")).to_be_visible()
    shot("public-announcement")
    page.get_by_role("link", name="在线提出实名异议").click()
    expect(page.get_by_role("heading", level=1, name="提出实名异议")).to_be_visible()
    page.get_by_label("单位", exact=True).check()
    page.get_by_label("单位名称").fill(OBJECTOR)
    page.get_by_label("统一社会信用代码").fill("91370102MA3DX0005X")
    page.get_by_label("联系人").fill("刘洋")
    page.get_by_role("group", name="以单位名义提出时填写").get_by_label("联系电话").fill("0531-88001234")
    scan = tmp_path / "异议书.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("加盖单位公章的异议书扫描件").set_input_files(scan)
    page.get_by_label("异议的公示项目").select_option(label=f"1. {application} · {PROVIDER} · 50,000.00 元")
    page.get_by_label("异议事实和理由").fill("该服务商申报的诊断项目中，企业满意度调查为服务商代填，申报材料不实。")
    page.get_by_role("button", name="提交实名异议").click()
    expect(page.get_by_role("status")).to_contain_text("异议已提交")

    # The city handles the objection: checked, not upheld.
    at("2026-03-12T10:00:00+08:00")
    sign_in("city")
    open_task("处理异议", plan, "city-inbox-objection")
    expect(page.locator(".field-readonly", has_text="异议内容")).to_contain_text("企业满意度调查为服务商代填")
    expect(page.get_by_text(OBJECTOR)).to_have_count(0)  # the objector's identity is not on the task
    radio("处理结论", "异议不成立，不予采纳")
    page.get_by_label("处理意见 / 不予采纳理由").fill("经核实，满意度调查表由企业自行填写并盖章，异议不成立。")
    submit("处理异议")

    # 6. 第十四条（七）: the period ends (timer), the plan is issued and the funds requested.
    at("2026-03-16T23:59:00+08:00")
    sign_in("city")
    expect(page.get_by_role("link", name="下达资助计划", exact=True)).to_have_count(0)
    at("2026-03-17T00:00:01+08:00")
    at("2026-03-17T10:00:00+08:00")
    sign_in("city")
    open_task("下达资助计划", plan)
    planned = page.locator(".readonly-table tbody tr")  # the plan as announced, the objection not upheld
    expect(planned).to_have_count(1)
    expect(planned).to_contain_text(application)
    expect(planned).to_contain_text(ENTERPRISE)
    expect(planned.get_by_role("cell", name="50,000.00 元")).to_have_count(2)  # requested and planned
    shot("city-issue-plan-form")
    page.get_by_label("下达文号").fill("济工信数字〔2026〕5号")
    submit("下达资助计划")
    page.get_by_role("link", name="我的待办").click()
    open_task("申请拨付资金", plan)
    page.get_by_label("拨付申请文号").fill("济工信数字函〔2026〕12号")
    submit("申请拨付资金")

    sign_in("city_finance")
    open_task("拨付资金至区县", plan, "city-finance-inbox")
    row = page.get_by_role("group", name="第 1 行")
    expect(row).to_contain_text("历下区")
    expect(page.get_by_role("button", name=re.compile("添加一行|删除"))).to_have_count(0)  # one row per district
    expect(row).to_contain_text("50,000.00 元")
    row.get_by_label("拨付日期").fill("2026-03-17")
    row.get_by_label("拨付凭证号").fill("SCZ-001")
    shot("city-finance-release-form")
    submit("拨付资金至区县")

    at("2026-03-18T15:00:00+08:00")
    sign_in("lixia_finance")
    open_task("拨付资金至服务商", plan, "district-finance-inbox-payment")
    row = page.get_by_role("group", name="第 1 行")
    expect(row).to_contain_text(application)
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text("50,000.00 元")
    row.get_by_label("拨付日期").fill("2026-03-18")
    row.get_by_label("拨付凭证号").fill("QCZ-0001")
    submit("拨付资金至服务商", to_inbox=True)

    # 7. The provider sees the payment: told in its notifications, and its application has ended.
    sign_in("provider_a")
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^通知")).click()
    paid = page.get_by_role("link", name=f"资助申请 {application} 的资助资金 50,000.00 元已由历下区财政部门拨付")
    expect(paid).to_be_visible()
    shot("provider-notified-of-payment")
    paid.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"项目 {application}")
    expect(page.locator(".page-head .status")).to_have_text("已办结")
    expect(page.locator(".timeline li").last).to_contain_text("流程办结")
    expect(page.locator(".timeline li").filter(has_text="确认已拨付")).to_have_count(1)
    shot("provider-application-paid")

    assert problems == []
