"""`diagflow simulate`: a whole programme on a simulated clock; the dates are checked, not timings."""

from __future__ import annotations

from webui.cli import cli


def test_simulated_year_from_2_march_2026(app) -> None:
    result = app.test_cli_runner().invoke(cli, ["simulate", "--start", "2026-03-02", "--enterprises", "6",
                                                "--providers", "2"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.strip()}
    assert lines["模拟开始"] == ["2026-03-02（6", "个诊断项目，6", "份资助申请）"]
    assert lines["启动通知发布"] == ["2026-03-09", "2026-03-09", "5", "—"]
    assert lines["服务商提交资助申请"] == ["2026-04-07", "2026-04-07", "4", "清明节"]
    assert lines["资助计划确定"] == ["2026-05-15", "2026-05-15", "11", "劳动节"]
    assert lines["公示期满（5个工作日）"][1] == "2026-05-28"
    assert lines["市财政下达区县"] == ["2026-06-22", "2026-06-22", "10", "端午节"]
    assert lines["服务商全部收到资金：2026-06-29"] == []


def test_a_slower_district_moves_the_payment_date(app) -> None:
    result = app.test_cli_runner().invoke(cli, ["simulate", "--start", "2026-03-02", "--enterprises", "6",
                                                "--providers", "2", "--delay", "district_finance=15"])
    assert result.exit_code == 0, result.output
    paid = next(line for line in result.output.splitlines() if line.startswith("服务商全部收到资金"))
    assert paid > "服务商全部收到资金：2026-06-29"


def test_bad_delay_is_a_clear_error(app) -> None:
    result = app.test_cli_runner().invoke(cli, ["simulate", "--start", "2026-03-02", "--delay", "mayor=3"])
    assert result.exit_code != 0 and "ROLE=DAYS" in result.output
