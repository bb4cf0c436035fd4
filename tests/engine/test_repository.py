"""Deployment: validation lists every problem, versions are numbered by content, instances
stay on the version they started on."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.errors import ValidationFailed
from engine.lint import NS, check_diagram
from engine.repository import read_folder
from tests.modelkit import linear_model, note_form, user_task
from tests.support import Scenario

ROOT = Path(__file__).resolve().parents[2]
MODEL_FOLDERS = sorted(p for p in (ROOT / "processes").iterdir() if any(p.glob("*.bpmn")))
DIAGNOSIS = ROOT / "processes" / "diagnosis_project"


def test_redeploying_the_same_files_keeps_the_version(sqlite_engine) -> None:
    again = sqlite_engine.repository.deploy_folder(DIAGNOSIS, "tests")
    assert again.version == 1
    assert [v["version"] for v in sqlite_engine.repository.list_versions() if v["process_id"] == "diagnosis_project"] == [1]


def test_changed_files_make_a_new_version_and_instances_keep_theirs(sqlite_engine) -> None:
    running = Scenario(sqlite_engine).start("provider_a")
    files = read_folder(DIAGNOSIS)
    files["diagnosis_project.bpmn"] = files["diagnosis_project.bpmn"].replace(
        "填报诊断合同备案".encode(), "填报诊断合同备案（新版）".encode()
    )
    deployed = sqlite_engine.repository.deploy("diagnosis_project", files, "tests")
    assert deployed.version == 2

    newer = Scenario(sqlite_engine).start("provider_a")
    assert running.task_of("provider_a", "file_contract")["name"] == "填报诊断合同备案"
    assert newer.task_of("provider_a", "file_contract")["name"] == "填报诊断合同备案（新版）"
    assert sqlite_engine.instances.get(running.actor("city"), running.instance_id)["version"] == 1


def test_invalid_model_lists_every_problem_and_deploys_nothing(sqlite_engine) -> None:
    files = read_folder(DIAGNOSIS)
    text = files["diagnosis_project.bpmn"].decode()
    text = text.replace('name="district_bureau"', 'name="district_office"')
    text = text.replace('id="filing.record"', 'id="filing.unknown"')
    text = text.replace('value="submit_report.schema.json"', 'value="missing.schema.json"')
    files["diagnosis_project.bpmn"] = text.encode()
    with pytest.raises(ValidationFailed) as failed:
        sqlite_engine.repository.deploy("diagnosis_project", files, "tests")
    elements = {element for element, _ in failed.value.problems}
    assert {"record_filing", "submit_report"} <= elements
    assert any("district_office" in message for _, message in failed.value.problems)
    assert [v["version"] for v in sqlite_engine.repository.list_versions() if v["process_id"] == "diagnosis_project"] == [1]


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><x>&b;</x>",
         "bomb.bpmn：不允许使用 DTD 和实体声明"),
        (b"this is not xml at all", "bomb.bpmn：不是格式正确的 XML"),
    ],
)
def test_hostile_or_broken_xml_is_refused(sqlite_engine, payload: bytes, expected: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        sqlite_engine.repository.deploy("bomb", {"bomb.bpmn": payload}, "tests")
    assert failed.value.problems[0][0] == "bomb.bpmn"
    assert expected in failed.value.problems[0][1]


@pytest.mark.parametrize("folder", MODEL_FOLDERS, ids=lambda p: p.name)
def test_every_model_has_complete_diagram_interchange(folder: Path) -> None:
    for path in folder.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        assert check_diagram(root) == []
        lanes = root.xpath("//bpmn:lane/@id", namespaces=NS)
        shapes = set(root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS))
        assert set(lanes) <= shapes


def test_diagram_check_finds_a_missing_shape() -> None:
    root = etree.parse(str(DIAGNOSIS / "diagnosis_project.bpmn")).getroot()
    shape = root.xpath("//bpmndi:BPMNShape[@bpmnElement='review_filing']", namespaces=NS)[0]
    shape.getparent().remove(shape)
    assert check_diagram(root) == [("review_filing", "用户任务「区县审核备案」(review_filing) 在流程图中没有图形（BPMNShape）："
                                                      "请在建模器中删除后重新放置它")]


def test_deadline_properties_are_checked(sqlite_engine) -> None:
    model = linear_model("bad_deadline", "city_bureau", [user_task("t", "任务", "note", dueWorkingDays="ten",
                                                                     escalateTo="mayor")])
    with pytest.raises(ValidationFailed) as failed:
        sqlite_engine.repository.deploy("bad_deadline", {"bad_deadline.bpmn": model,
                                                          "forms/note.schema.json": note_form()}, "t")
    messages = [message for element, message in failed.value.problems if element == "t"]
    assert "用户任务「任务」(t) 的办理期限 dueWorkingDays 为 'ten'：请填写正整数的工作日数，如 5" in messages
    assert any(m.startswith("用户任务「任务」(t) 的超期上报对象 escalateTo 'mayor' 不是已知角色：") for m in messages)
