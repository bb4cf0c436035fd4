"""Exports: the district filing summary's totals are the database's, the plan and announcement
spreadsheets and the audit CSV hold the right rows, and every export keeps to its scope."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from engine.exports import csv_safe
from engine.models import AuditEvent
from engine.records.plans import Announcement, PlanItem
from engine.records.projects import Filing
from tests.support import FILING, Scenario
from tests.support_plan import PlanScenario, announcement_of, at, deploy_stand_ins, eligible_application
from tests.webui.test_pages import sign_in

LIXIA = "历下区"


def client_of(app, username: str, password: str):
    client = app.test_client()
    sign_in(client, username, password)
    return client


def sheet_rows(data: bytes, sheet: str) -> list[tuple]:
    """The table of a sheet: the rows below its header (row 4), as values."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [row for row in book[sheet].iter_rows(min_row=5, values_only=True)]


def database_totals(engine, district: str | None) -> tuple[int, int, float]:
    """Filings, distinct enterprises and contract amounts (in yuan, as the sheet shows them),
    counted straight from the table."""
    where = [Filing.district == district] if district else []
    with engine.sessions() as session:
        filings, enterprises, fen = session.execute(
            select(func.count(Filing.id), func.count(distinct(Filing.enterprise_org_id)),
                   func.sum(Filing.contract_amount_fen)).where(*where)
        ).one()
    return filings, enterprises, fen / 100


def test_filing_summary_totals_are_the_databases_and_keep_to_the_district(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    first = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    first.district_accepts_filing()
    second = Scenario(engine).start("provider_b")
    second.complete("provider_b", "file_contract", FILING | {"contract_no": "=HYPERLINK(1)", "contract_amount": 30_500_50,
                                                             "enterprise_id": second.organisation_id("enterprise_a")})
    second.enterprise_confirms_filing()
    Scenario(engine).start("provider_b").provider_files_contract("provider_b", "enterprise_b").enterprise_confirms_filing(
        "enterprise_b")

    city = client_of(app, "city", demo_password).get("/exports/filings.xlsx")
    assert city.status_code == 200 and "attachment" in city.headers["Content-Disposition"]
    *districts, total = sheet_rows(city.data, "备案汇总")
    filings, enterprises, amount = database_totals(engine, None)
    assert (total[0], total[1], total[5], total[6]) == ("合计", filings, enterprises, amount) == ("合计", 3, 2, 126500.5)
    assert [(d[0], d[1], d[2], d[3]) for d in districts] == [(LIXIA, 2, 1, 1), ("历城区", 1, 0, 1)]
    assert len(sheet_rows(city.data, "备案明细")) == filings
    money_cells = load_workbook(io.BytesIO(city.data))["备案汇总"]["G"][4:]
    assert {cell.number_format for cell in money_cells} == {"#,##0.00"}  # yuan with two decimals

    lixia = client_of(app, "lixia_bureau", demo_password)
    own = lixia.get("/exports/filings.xlsx")
    *_, own_total = sheet_rows(own.data, "备案汇总")
    filings, enterprises, amount = database_totals(engine, LIXIA)
    assert (own_total[1], own_total[5], own_total[6]) == (filings, enterprises, amount) == (2, 1, 78500.5)
    detail = sheet_rows(own.data, "备案明细")
    assert {row[1] for row in detail} == {LIXIA}
    contract_cells = [row[6] for row in load_workbook(io.BytesIO(own.data))["备案明细"].iter_rows(min_row=5)]
    assert [(c.value, c.data_type) for c in contract_cells if c.value.startswith("=")] == [("=HYPERLINK(1)", "s")]
    assert lixia.get("/exports/filings.xlsx?district=历城区").status_code == 403
    assert client_of(app, "lixia_finance", demo_password).get("/exports/filings.xlsx").status_code == 403


def test_plan_and_announcement_exports_hold_the_rows_in_scope(app, demo_password, clock) -> None:
    engine = app.extensions["diagflow"]
    at(clock, "2026-02-10T09:00:00+08:00")
    deploy_stand_ins(engine)
    plan = PlanScenario(engine)
    eligible_application(plan, "provider_a", LIXIA, 50000)
    eligible_application(plan, "provider_b", "历城区", 40000)
    plan.city_drafts_plan(200_000_00).city_confirms_plan().city_publishes_announcement()
    announcement = announcement_of(engine, plan.instance_id)
    with engine.sessions() as session:
        plan_id, items = session.scalar(select(Announcement.plan_id).where(Announcement.id == announcement.id)), \
            session.scalars(select(PlanItem)).all()

    city_finance = client_of(app, "city_finance", demo_password)
    *rows, total = sheet_rows(city_finance.get(f"/exports/plans/{plan_id}.xlsx").data, "资助计划")
    assert sorted((r[3], r[5], r[6]) for r in rows) == sorted((i.district, i.requested_fen / 100, i.amount_fen / 100)
                                                             for i in items)
    assert total[0] == "合计" and total[6] == sum(i.amount_fen for i in items) / 100 == 90000
    *published, _ = sheet_rows(city_finance.get(f"/exports/announcements/{announcement.id}.xlsx").data, "公示名单")
    assert [(r[1], r[3], r[5]) for r in published] == [
        (i["application_no"], i["district"], i["amount_fen"] / 100) for i in announcement.items]

    lixia_finance = client_of(app, "lixia_finance", demo_password)
    *own, own_total = sheet_rows(lixia_finance.get(f"/exports/plans/{plan_id}.xlsx").data, "资助计划")
    assert [r[3] for r in own] == [LIXIA] and own_total[6] == 50000
    printed = lixia_finance.get(f"/exports/announcements/{announcement.id}/print").get_data(as_text=True)
    assert announcement.title in printed and "print.css" in printed and "历城区" not in printed
    assert "90,000.00" in city_finance.get(f"/exports/plans/{plan_id}/print").get_data(as_text=True)
    provider = client_of(app, "provider_a", demo_password)
    for path in (f"/exports/plans/{plan_id}.xlsx", f"/exports/announcements/{announcement.id}.xlsx",
                 f"/exports/plans/{plan_id}/print", "/exports"):
        assert provider.get(path).status_code == 403, path


def test_audit_trail_csv_opens_in_excel_with_every_event(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    engine.comments.add(project.actor("provider_a"), project.instance_id, "请尽快审核")
    response = client_of(app, "lixia_bureau", demo_password).get(f"/exports/instances/{project.instance_id}/audit.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    with engine.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == project.instance_id)
                                 .order_by(AuditEvent.seq)).all()
    assert header[:4] == ["序号", "时间（北京时间）", "操作人", "操作"]
    assert [(int(r[0]), r[7]) for r in rows] == [(e.seq, e.hash) for e in events]
    assert {"发起流程", "发表意见"} <= {r[3] for r in rows} and rows[0][1].startswith("2026-03-02 09:00")
    assert csv_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0" and csv_safe("-1") == "'-1" and csv_safe(7) == 7
    outsider = client_of(app, "licheng_bureau", demo_password)
    assert outsider.get(f"/exports/instances/{project.instance_id}/audit.csv").status_code == 403
