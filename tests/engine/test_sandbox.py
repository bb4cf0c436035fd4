"""Model code runs in the sandbox: escapes are refused with an error naming the element."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import sandbox
from engine.errors import ValidationFailed
from engine.sandbox import SandboxEnvironment, SandboxError
from engine.scripting import DiagflowScriptEngine

# Refused when the model is compiled (so at deployment, before anything runs).
COMPILE_TIME = {
    "import": "x = __import__('os').system('id')",
    "subclasses": "x = ().__class__.__base__.__subclasses__()",
}
# Refused when they run: the names do not exist there, or the guarded attribute access says no.
RUN_TIME = {
    "open": ("x = open('/etc/passwd').read()", "NameError"),
    "format": ("x = '{0.__class__}'.format(1)", "NotImplementedError"),
    "getattr": ("x = getattr(1, '__class__')", "NameError"),
}


def script_model(script: str) -> bytes:
    """A one-script process (valid BPMN with diagram) around `script`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="http://diagflow.test">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calculate" name="计算"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script.replace("&", "&amp;").replace("<", "&lt;")}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calculate"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calculate" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="scripted">
    <bpmndi:BPMNShape id="s_start" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s_calc" bpmnElement="calculate"><dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s_end" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="e1" bpmnElement="f1"><di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="e2" bpmnElement="f2"><di:waypoint x="300" y="118"/><di:waypoint x="360" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>""".encode()


def run_unvalidated(script: str) -> BpmnWorkflow:
    """Run a model that skipped deployment's checks, as if it had slipped into the store."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(script_model(script), "scripted.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("scripted"), script_engine=DiagflowScriptEngine({}, None))
    workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize("name", sorted(COMPILE_TIME))
def test_deploy_refuses_escapes_naming_the_element(sqlite_engine, name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        sqlite_engine.repository.deploy("scripted", {"scripted.bpmn": script_model(COMPILE_TIME[name])}, "tests")
    elements = {element for element, _ in refused.value.problems}
    assert elements == {"calculate"}, refused.value.problems
    assert refused.value.problems[0][1].startswith("脚本任务「计算」(calculate) 的脚本不能使用：被安全沙箱拒绝（")


@pytest.mark.parametrize("name", sorted(COMPILE_TIME))
def test_runtime_refuses_compile_time_escapes_naming_the_element(name: str) -> None:
    with pytest.raises(WorkflowTaskException) as refused:
        run_unvalidated(COMPILE_TIME[name])
    assert refused.value.task_spec.bpmn_id == "calculate"
    assert "被安全沙箱拒绝" in str(refused.value)
    assert "starts with \"_\"" in str(refused.value) or "invalid attribute name" in str(refused.value)


@pytest.mark.parametrize("name", sorted(RUN_TIME))
def test_runtime_refuses_guarded_escapes_naming_the_element(name: str) -> None:
    script, error_type = RUN_TIME[name]
    with pytest.raises(WorkflowTaskException) as refused:
        run_unvalidated(script)
    assert refused.value.task_spec.bpmn_id == "calculate"
    assert refused.value.error_type == error_type


def test_sandbox_still_runs_ordinary_scripts() -> None:
    workflow = run_unvalidated("total = sum([a * 2 for a in [1, 2, 3]])\nlabel = f'合计 {total}'\nitems = {'n': total}")
    assert workflow.is_completed()
    assert workflow.last_task.data == {"total": 12, "label": "合计 12", "items": {"n": 12}}


def test_expressions_see_only_whitelisted_functions() -> None:
    environment = SandboxEnvironment({"double": lambda n: n * 2})
    assert environment.evaluate("double(score) + 1", {"score": 20}) == 41
    with pytest.raises(SandboxError):
        environment.evaluate("__builtins__", {})
    with pytest.raises(SandboxError, match="reserved"):
        environment.evaluate("double", {"double": 1})


def test_an_endless_loop_is_stopped_naming_the_element(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", 0.2)
    with pytest.raises(WorkflowTaskException) as stopped:
        run_unvalidated("n = 0\nwhile True:\n    n += 1")
    assert stopped.value.task_spec.bpmn_id == "calculate"
    assert "ran longer than 0.2 s" in str(stopped.value)


def test_the_time_limit_leaves_quick_code_alone() -> None:
    environment = SandboxEnvironment()
    context: dict = {}
    environment.execute("total = sum(range(100000))", context)
    assert context == {"total": 4999950000}
