"""Reading a year's holiday schedule from a small file, as the State Council publishes it.

JSON: {"year": 2027, "source": "国办发明电〔2026〕…", "days": [{"date": "2027-01-01",
"kind": "holiday", "name": "元旦"}, ...]}; CSV: a header `date,kind,name` then one row per
day. `kind` is `holiday` (放假) or `workday` (调休上班); only those days are listed.
"""

from __future__ import annotations

import csv
import io
import json

from .errors import InvalidData
from .i18n import N_

Row = tuple[str, str, str]


def parse_schedule(text: str, filename: str) -> tuple[int, list[Row], str]:
    """(year, rows, source) from a JSON or CSV schedule; InvalidData naming what is wrong."""
    if filename.lower().endswith(".json"):
        return _from_json(text)
    if filename.lower().endswith(".csv"):
        return _from_csv(text)
    raise InvalidData({"file": N_("请上传 .json 或 .csv 文件")})


def _from_json(text: str) -> tuple[int, list[Row], str]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidData({"file": N_("不是有效的 JSON：%(detail)s", detail=str(exc))}) from None
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise InvalidData({"file": N_("JSON 应包含 year 和 days 列表")})
    year = data.get("year")
    if not isinstance(year, int):
        raise InvalidData({"year": N_("year 应为整数")})
    rows = []
    for index, day in enumerate(data["days"]):
        if not isinstance(day, dict):
            raise InvalidData({f"days.{index}": N_("每一项应为对象 {date, kind, name}")})
        rows.append((str(day.get("date", "")), str(day.get("kind", "")), str(day.get("name", ""))))
    return year, rows, str(data.get("source") or "import")


def _from_csv(text: str) -> tuple[int, list[Row], str]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"date", "kind"} <= set(reader.fieldnames):
        raise InvalidData({"file": N_("CSV 第一行应为 date,kind,name")})
    rows = [(r["date"].strip(), r["kind"].strip(), (r.get("name") or "").strip()) for r in reader]
    years = {row[0][:4] for row in rows}
    if len(years) != 1 or not next(iter(years)).isdigit():
        raise InvalidData({"file": N_("CSV 中的日期应属于同一年")})
    return int(next(iter(years))), rows, "import"
