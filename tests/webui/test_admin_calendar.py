"""The process owner's calendar: a year as month grids, and entering a new year (page and CLI)."""

from __future__ import annotations

import io
from pathlib import Path

from tests.webui.test_pages import csrf_token, sign_in
from webui.cli import cli

SCHEDULE_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"


def test_city_sees_the_year_with_holidays_and_adjusted_days(app, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "city", demo_password)
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "全年工作日 248 天" in page and "已公布" in page
    assert 'title="春节"' in page and page.count('<span class="mark">休</span>') == 33
    assert page.count('<span class="mark">班</span>') == 6
    assert "尚未公布放假安排" in client.get("/admin/calendar?year=2027").get_data(as_text=True)


def test_only_the_city_bureau_may_open_it(app, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "lixia_bureau", demo_password)
    assert client.get("/admin/calendar").status_code == 403


def test_uploading_a_schedule_enters_the_year(app, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "city", demo_password)
    token = csrf_token(client.get("/admin/calendar?year=2027").get_data(as_text=True))
    bad = client.post("/admin/calendar", data={"csrf_token": token, "year": "2027",
                                               "schedule": (io.BytesIO(b"date,kind\n2027-13-01,holiday\n"), "x.csv")})
    assert bad.status_code == 422 and "格式应为 YYYY-MM-DD" in bad.get_data(as_text=True)
    done = client.post("/admin/calendar", data={"csrf_token": token, "year": "2027",
                                                "schedule": (io.BytesIO(SCHEDULE_2027.encode()), "2027.csv")},
                       follow_redirects=True)
    body = done.get_data(as_text=True)
    assert "已录入 2027 年放假安排（2 天）" in body and "全年工作日 261 天" in body


def test_cli_imports_and_shows_a_year(app, tmp_path: Path) -> None:
    schedule = tmp_path / "2027.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    runner = app.test_cli_runner()
    imported = runner.invoke(cli, ["calendar", "import", str(schedule)])
    assert imported.exit_code == 0, imported.output
    assert "2027: 2 day(s) entered" in imported.output
    shown = runner.invoke(cli, ["calendar", "show", "2027"])
    assert "published (import" in shown.output and " 1休" in shown.output and " 6班" in shown.output
