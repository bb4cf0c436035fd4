"""A catalogue of bad models: each is refused with the element id that is wrong, all problems
of a model are listed at once, and a file from another modeler is answered with what diagflow
does not support. Nothing here is deployed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.access import SYSTEM
from engine.clock import MovableClock
from engine.errors import ValidationFailed
from engine.repository import read_folder
from tests.conftest import START, build_engine
from tests.modelkit import linear_model, note_form, script_task, service_task, timer, user_task

ROOT = Path(__file__).resolve().parents[2]
FORM = {"forms/note.schema.json": note_form()}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>"""
CAMUNDA = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn"
  exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="leave_request" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_approve" name="Approve" camunda:formKey="embedded:app:forms/approve.html"
      camunda:candidateGroups="managers"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="Activity_notify" camunda:class="org.example.Notify">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:complexGateway id="Gateway_odd"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:complexGateway>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_approve"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_approve" targetRef="Activity_notify"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_notify" targetRef="Gateway_odd"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Gateway_odd" targetRef="EndEvent_1"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture(scope="module")
def models(tmp_path_factory):  # noqa: ANN201 - a ProcessEngine
    """One engine for the whole catalogue: nothing here is meant to be deployed."""
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'diagflow.db'}", MovableClock(START))
    yield engine
    engine.dispose()


def _outside_lane() -> bytes:
    model = linear_model("p", "city_bureau", [user_task("loose", "游离任务", "note")])
    return model.replace(b"<bpmn:flowNodeRef>loose</bpmn:flowNodeRef>", b"")


def _unreachable() -> bytes:
    model = linear_model("p", "city_bureau", [user_task("t", "任务", "note")])
    return model.replace(b'<bpmn:endEvent id="end"', b'<bpmn:task id="island" name="island"/><bpmn:endEvent id="end"')


def _unknown_element() -> bytes:
    model = linear_model("p", "city_bureau", [user_task("t", "任务", "note")])
    return model.replace(b'<bpmn:endEvent id="end"', b'<bpmn:bogus/><bpmn:endEvent id="end"')


CASES = {
    "user task outside every lane": (_outside_lane(), FORM, "loose",
                                     "用户任务「游离任务」(loose) 不在任何泳道内，没有角色能办理它：请把它拖入代表办理角色的泳道"),
    "lane with an unknown role": (linear_model("p", "mayor", [user_task("t", "任务", "note")]), FORM,
                                  "lane_mayor", "泳道「mayor」(lane_mayor) 的名称不是已知角色"),
    "missing form": (linear_model("p", "city_bureau", [user_task("t", "任务", "absent")]), FORM,
                     "t", "用户任务「任务」(t)：表单文件 forms/absent.schema.json 不存在"),
    "invalid JSON Schema": (linear_model("p", "city_bureau", [user_task("t", "任务", "note")]),
                            {"forms/note.schema.json": json.dumps({"type": "objekt"}).encode()},
                            "t", "表单文件 forms/note.schema.json 不是有效的 JSON Schema"),
    "unknown operator": (linear_model("p", "city_bureau", [service_task("svc", "payments.teleport", "r")]), {},
                         "svc", "服务任务「svc」(svc) 的处理程序 'payments.teleport' 未登记：请改选已登记的处理程序"),
    "unsafe script": (linear_model("p", "city_bureau", [script_task("evil", "__import__('os').system('id')")]), {},
                      "evil", "脚本任务「evil」(evil) 的脚本不能使用：被安全沙箱拒绝"),
    "unquoted timer duration": (linear_model("p", "city_bureau", [timer("wait_5_days", "P5D", "timeDuration")]), {},
                                "wait_5_days", '的定时器表达式 P5D 未加引号：请写成 "P5D"（表达式按 Python 解释）'),
    "unreachable element": (_unreachable(), FORM, "island", "任务「island」(island) 无法到达"),
    "process not executable": (linear_model("p", "city_bureau", [user_task("t", "任务", "note")]).replace(
        b'isExecutable="true"', b'isExecutable="false"'), FORM, "p",
        "流程 p 未标记为可执行（isExecutable）：请在流程属性中勾选“可执行”"),
    "element outside the BPMN schema": (_unknown_element(), FORM, "p.bpmn",
                                        "p.bpmn 不符合 BPMN 2.0 规范（XSD）：Element 'bpmn:bogus'"),
    "XML bomb": (BILLION_LAUGHS, {}, "p.bpmn", "p.bpmn：不允许使用 DTD 和实体声明"),
    "not BPMN at all": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "p.bpmn", "p.bpmn：不是格式正确的 XML"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_model_is_refused_naming_the_element(models, case: str) -> None:
    bpmn, forms, element, message = CASES[case]
    process_id, _, problems = models.owner.upload([("p.bpmn", bpmn), *forms.items()])
    assert any(e == element and message in m for e, m in problems), problems
    with pytest.raises(ValidationFailed):
        models.repository.deploy(process_id or "p", {"p.bpmn": bpmn, **forms}, "tests")
    assert not [v for v in models.repository.list_versions() if v["process_id"] == "p"]


def test_every_problem_of_a_model_is_listed_at_once(models) -> None:
    steps = [user_task("t", "任务", "absent"), service_task("svc", "payments.teleport", "r"),
             script_task("evil", "x = ().__class__.__base__"), timer("wait", "PT2H", "timeDuration")]
    problems = models.owner.validate_parts(linear_model("p", "mayor", steps).decode(), {}, {})
    assert {"lane_mayor", "t", "svc", "evil", "wait"} <= {element for element, _ in problems}


def test_an_upload_needs_exactly_one_bpmn_file(models) -> None:
    model = linear_model("p", "city_bureau", [user_task("t", "任务", "note")])
    _, _, problems = models.owner.upload([("p.bpmn", model), ("q.bpmn", model), *FORM.items()])
    assert ("upload", "一个模型集需要且只能有一个 .bpmn 文件，现在有 2 个：请只上传一个流程文件（可附带 .dmn 决策表和表单文件）") in problems


def test_a_good_model_has_no_problems(models) -> None:
    model = linear_model("p", "city_bureau", [user_task("t", "任务", "note"), timer("wait", '"PT2H"', "timeDuration")])
    assert models.owner.validate_parts(model.decode(), {"note.schema.json": json.loads(note_form())}, {}) == []


def test_camunda_modeler_file_is_answered_with_its_unsupported_features(models) -> None:
    problems = models.owner.validate_file("leave_request.bpmn", CAMUNDA)
    found = {(element, message.split("diagflow 不支持的 ")[1].split("：")[0])
             for element, message in problems if "diagflow 不支持的 " in message}
    assert {("Activity_approve", "camunda:formKey"), ("Activity_approve", "camunda:candidateGroups"),
            ("Activity_notify", "camunda:class"), ("Gateway_odd", "bpmn:complexGateway")} <= found
    advice = dict(((e, m.split("：")[0]), m) for e, m in problems)
    assert "formJsonSchemaFilename" in advice[("Activity_approve", "用户任务「Approve」(Activity_approve) 使用了 diagflow "
                                                                   "不支持的 camunda:formKey")]
    assert ("StartEvent_1", "开始事件 StartEvent_1 在流程图中没有图形（BPMNShape）：请在建模器中删除后重新放置它") in problems


def test_decision_cells_are_checked_in_the_sandbox_alone_and_when_deployed(models) -> None:
    dmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="http://x">
  <decision id="tier" name="tier"><decisionTable id="table" hitPolicy="UNIQUE">
    <input id="in_score"><inputExpression id="expr" typeRef="number"><text>score</text></inputExpression></input>
    <output id="out_tier" name="tier" typeRef="string"/>
    <rule id="rule_1"><inputEntry id="rule_1_in"><text>&gt;= 90</text></inputEntry>
      <outputEntry id="rule_1_out"><text>__import__('os')</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>"""
    problems = models.owner.validate_file("tier.dmn", dmn)
    assert [element for element, _ in problems] == ["rule_1_out"]
    files = read_folder(ROOT / "processes" / "subsidy_application")
    files["tier.dmn"] = files["tier.dmn"].replace(b'<outputEntry id="tier_rule_1_out_1"><text>5000000</text>',
                                                  b'<outputEntry id="tier_rule_1_out_1"><text>().__class__</text>')
    with pytest.raises(ValidationFailed) as failed:
        models.repository.deploy("subsidy_application", files, "tests")
    assert [element for element, _ in failed.value.problems] == ["tier_rule_1_out_1"]


def test_a_file_from_another_modeler_that_diagflow_can_run_is_deployed(models) -> None:
    model = linear_model("imported", "city_bureau", [user_task("t", "任务", "note")]).replace(
        b'id="defs_imported"', b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" exporter="Camunda Modeler" '
                               b'exporterVersion="5.17.0" id="defs_imported"')
    process_id, files, problems = models.owner.upload([("exported_from_camunda.bpmn", model), *FORM.items()])
    assert (process_id, problems) == ("imported", [])
    assert models.owner.versions.deploy(process_id, files, SYSTEM)["version"] == 1
