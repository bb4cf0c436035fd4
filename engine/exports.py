"""Exports built from the business records: the district filing summary (第十一条), the subsidy
plan and its announcement as spreadsheets, and an instance's audit trail as CSV.

Who may export what is decided here (`filing_district`, `plan_districts`), before anything is
read: a district sees only its own district; providers and enterprises export nothing. The web
layer only serves the bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from .access import Actor, hides_actor
from .clock import SHANGHAI, Clock
from .errors import Forbidden, NotFound
from .history import pseudonymous
from .i18n import N_
from .models import AuditEvent, Organisation, User
from .records.plans import ITEM_STATUS_LABELS, Announcement, PlanItem, SubsidyPlan
from .records.projects import FILING_STATUS_LABELS, Filing
from .roles import DISTRICT_ROLES, DISTRICTS

if TYPE_CHECKING:
    from .instances import InstanceService

CITY_WIDE = frozenset({"city_bureau", "city_finance"})
FILING_HEADERS = ("序号", "区县", "服务商", "服务商统一社会信用代码", "企业", "企业统一社会信用代码", "合同编号",
                  "合同签订日期", "合同金额（元）", "诊断工作组人数", "工作组组长", "备案时间", "状态")
SUMMARY_HEADERS = ("区县", "备案数", "已受理", "待审核", "已退回", "企业数", "合同金额合计（元）")
PLAN_HEADERS = ("序号", "申报编号", "服务商", "区县", "诊断企业数", "申请金额（元）", "计划金额（元）", "状态")
ANNOUNCEMENT_HEADERS = ("序号", "申报编号", "服务商", "区县", "诊断企业", "资助金额（元）")
AUDIT_HEADERS = ("序号", "时间（北京时间）", "操作人", "操作", "环节", "任务", "详情", "哈希")
_FORMULA_START = ("=", "+", "-", "@")
YUAN_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Yuan:
    """An amount of integer fen in a spreadsheet row: written as a number of yuan shown with two
    decimals (Excel can still add it up)."""

    fen: int


def filing_district(actor: Actor, district: str | None) -> str | None:
    """The district whose filings the actor may export (None: every district, city only)."""
    if actor.role == "city_bureau":
        return district or None
    if actor.role == "district_bureau":
        if district and district != actor.district:
            raise Forbidden(N_("只能导出本区县的备案汇总"))
        return actor.district
    raise Forbidden(N_("备案汇总仅区县工信主管部门和市工业和信息化局可以导出"))


def plan_districts(actor: Actor) -> str | None:
    """The district whose plan rows the actor may export (None: the whole plan)."""
    if actor.role in CITY_WIDE:
        return None
    if actor.role in DISTRICT_ROLES:
        return actor.district
    raise Forbidden(N_("资助计划和公示名单仅市、区县工信和财政部门可以导出"))


class ExportService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, instances: InstanceService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._instances = instances

    # The district filing summary (第十一条)
    def filing_rows(self, actor: Actor, district: str | None = None, campaign_id: int | None = None) -> list[dict]:
        """The filings in the actor's scope, by district then filing time."""
        scope = filing_district(actor, district)
        provider, enterprise = aliased(Organisation), aliased(Organisation)
        query = (
            select(Filing, provider, enterprise)
            .join(provider, provider.id == Filing.provider_org_id)
            .join(enterprise, enterprise.id == Filing.enterprise_org_id)
            .order_by(Filing.filed_at, Filing.id)
        )
        if scope:
            query = query.where(Filing.district == scope)
        if campaign_id is not None:
            query = query.where(Filing.campaign_id == campaign_id)
        with self._sessions() as session:
            rows = [_filing_row(f, p, e) for f, p, e in session.execute(query)]
        return sorted(rows, key=lambda row: district_order(row["district"]))

    def filing_summary(self, actor: Actor, district: str | None = None, campaign_id: int | None = None) -> bytes:
        """The summary a district reports to the city: one row per district with a total, and
        every filing on a second sheet."""
        rows = self.filing_rows(actor, district, campaign_id)
        scope = filing_district(actor, district) or "全市"
        stamp = self._stamp("第十一条")
        details = [(n, r["district"], r["provider"], r["provider_code"], r["enterprise"], r["enterprise_code"],
                    r["contract_no"], r["contract_date"], Yuan(r["amount_fen"]), r["group_size"], r["group_leader"],
                    r["filed_at"], r["status"]) for n, r in enumerate(rows, 1)]
        return workbook([
            ("备案汇总", f"数字化转型诊断项目备案汇总表（{scope}）", stamp, SUMMARY_HEADERS,
             [*summarise(rows), total_row(rows)]),
            ("备案明细", f"数字化转型诊断项目备案明细（{scope}）", stamp, FILING_HEADERS, details),
        ])

    # The subsidy plan and its announcement (第十四条(五)–(六))
    def plan(self, actor: Actor, plan_id: int) -> dict[str, Any]:
        """The plan's head and its items in the actor's scope, as the printable page shows them."""
        district = plan_districts(actor)
        with self._sessions() as session:
            plan = session.get(SubsidyPlan, plan_id)
            if plan is None:
                raise NotFound(N_("资助计划 %(plan_id)s 不存在", plan_id=plan_id))
            query = select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id)
            if district:
                query = query.where(PlanItem.district == district)
            rows = sorted(session.scalars(query), key=lambda item: district_order(item.district))
            items = [_plan_row(i) for i in rows]
        return {"id": plan.id, "title": plan.title, "year": plan.year, "budget_fen": plan.budget_fen,
                "district": district, "items": items, "total_fen": sum(i["amount_fen"] for i in items)}

    def plan_workbook(self, actor: Actor, plan_id: int) -> bytes:
        plan = self.plan(actor, plan_id)
        rows = [(n, i["application_no"], i["provider"], i["district"], i["enterprise_count"], Yuan(i["requested_fen"]),
                 Yuan(i["amount_fen"]), i["status"]) for n, i in enumerate(plan["items"], 1)]
        return workbook([("资助计划", f"{plan['title']}（{plan['district'] or '全市'}）", self._stamp("第十四条（五）"),
                          PLAN_HEADERS, [*rows, ("合计", "", "", "", "", "", Yuan(plan["total_fen"]), "")])])

    def announcement(self, actor: Actor, announcement_id: int) -> dict[str, Any]:
        """The announcement as published (its items in the actor's scope), for the printable page."""
        district = plan_districts(actor)
        with self._sessions() as session:
            found = session.get(Announcement, announcement_id)
            if found is None:
                raise NotFound(N_("公示 %(announcement_id)s 不存在", announcement_id=announcement_id))
            items = [i for i in found.items if not district or i["district"] == district]
            return {"id": found.id, "title": found.title, "legal_basis": found.legal_basis, "district": district,
                    "starts_at": found.starts_at, "ends_at": found.ends_at, "items": items,
                    "total_fen": sum(i["amount_fen"] for i in items),
                    "contacts": {"office": found.contact_office, "phone": found.contact_phone,
                                 "address": found.contact_address, "email": found.contact_email}}

    def announcement_workbook(self, actor: Actor, announcement_id: int) -> bytes:
        found = self.announcement(actor, announcement_id)
        period = f"公示期：{_local(found['starts_at'])} 至 {_local(found['ends_at'])}"
        rows = [(n, i["application_no"], i["provider"], i["district"], "、".join(map(str, i["enterprises"])),
                 Yuan(i["amount_fen"])) for n, i in enumerate(found["items"], 1)]
        return workbook([("公示名单", found["title"], f"{found['legal_basis']}　{period}", ANNOUNCEMENT_HEADERS,
                          [*rows, ("合计", "", "", "", "", Yuan(found["total_fen"]))])])

    # The audit trail
    def audit_csv(self, actor: Actor, instance_id: int, action_labels: Mapping[str, str]) -> bytes:
        """The instance's audit events as CSV in UTF-8 with a BOM, so Excel shows the Chinese."""
        instance = self._instances.get(actor, instance_id)
        names = {h["element_id"]: h["element_name"] for h in instance["history"] if h["element_name"]}
        with self._sessions() as session:
            events = session.execute(
                select(AuditEvent, User.role).outerjoin(User, User.id == AuditEvent.actor_id)
                .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
            )
            rows = []
            for e, role in events:
                who, details = e.actor_name, e.details
                if hides_actor(actor, role, e.actor_id):
                    hidden = pseudonymous(role, e.action, e.details)
                    who, details = hidden["actor"], hidden["details"]
                rows.append((e.seq, _local(e.at), who, action_labels.get(e.action, e.action),
                             names.get(e.element_id or "", e.element_id or ""), e.task_uuid or "",
                             json.dumps(details, ensure_ascii=False, sort_keys=True), e.hash))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(AUDIT_HEADERS)
        writer.writerows([[csv_safe(value) for value in row] for row in rows])
        return out.getvalue().encode("utf-8-sig")

    def _stamp(self, article: str) -> str:
        return f"依据《济南市数字化转型诊断工作指南（暂行）》{article}　导出时间：{_local(self._clock.now())}"


def summarise(rows: Sequence[Mapping[str, Any]]) -> list[tuple]:
    """One summary row per district: filings by status, enterprises, contract amounts."""
    by_district: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_district.setdefault(row["district"], []).append(row)
    return [_summary_line(district, by_district[district]) for district in sorted(by_district, key=district_order)]


def district_order(district: str) -> tuple[int, str]:
    """Districts in the city's official order (DISTRICTS), not the database's collation."""
    return (DISTRICTS.index(district) if district in DISTRICTS else len(DISTRICTS), district)


def total_row(rows: Sequence[Mapping[str, Any]]) -> tuple:
    return _summary_line("合计", rows)


def _summary_line(label: str, rows: Sequence[Mapping[str, Any]]) -> tuple:
    count = {status: sum(1 for r in rows if r["status"] == status) for status in FILING_STATUS_LABELS.values()}
    return (label, len(rows), count["已受理"], count["待审核"], count["已退回"],
            len({r["enterprise_code"] for r in rows}), Yuan(sum(r["amount_fen"] for r in rows)))


def _filing_row(filing: Filing, provider: Organisation, enterprise: Organisation) -> dict[str, Any]:
    group = list(filing.working_group or [])
    return {
        "district": filing.district, "provider": provider.name, "provider_code": provider.credit_code,
        "enterprise": enterprise.name, "enterprise_code": enterprise.credit_code,
        "contract_no": filing.contract_no, "contract_date": filing.contract_date,
        "amount_fen": filing.contract_amount_fen,
        "group_size": len(group), "group_leader": group[0].get("name", "") if group else "",
        "filed_at": _local(filing.filed_at), "status": FILING_STATUS_LABELS.get(filing.status, filing.status),
    }


def _plan_row(item: PlanItem) -> dict[str, Any]:
    return {"application_no": item.application_no, "provider": item.provider_name, "district": item.district,
            "enterprise_count": len(item.enterprises or []), "requested_fen": item.requested_fen,
            "amount_fen": item.amount_fen,
            "status": ITEM_STATUS_LABELS.get(item.status, item.status)}


def _local(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _title(sheet: Any, title: str, subtitle: str) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([subtitle])
    sheet.append([])


def _table(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Header and rows; text that looks like a formula stays text (no formula injection)."""
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([Decimal(value.fen) / 100 if isinstance(value, Yuan) else value for value in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Yuan):
                cell.number_format = YUAN_FORMAT
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for column, header in zip(sheet.iter_cols(min_row=4, max_row=4), headers, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(10, len(header) * 2 + 2)


def csv_safe(value: Any) -> Any:
    """Excel runs a cell that starts with = + - @ as a formula; a leading quote keeps it text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def workbook(sheets: Iterable[tuple[str, str, str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An xlsx of (sheet name, title, subtitle, headers, rows) sheets: title and subtitle on
    rows 1–2, the header on row 4, the rows below it."""
    book = Workbook()
    book.remove(book.active)
    for name, title, subtitle, headers, rows in sheets:
        sheet = book.create_sheet(name)
        _title(sheet, title, subtitle)
        _table(sheet, headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
