"""diagflow's own rules for a model set, beyond what the BPMN schema checks.

Each rule returns (element_id, message) pairs so a process owner sees every problem at once.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Mapping

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from .foreign import check_foreign
from .roles import ROLES
from .sandbox import SandboxError, compile_expression, compile_script

NS = {
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODES = (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway",
)
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
# An ISO 8601 duration, date or repetition written bare: Python reads `P5D` as a variable name.
ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|\d{4}-\d{2}-\d{2}\S*)$"
)

Problem = tuple[str, str]


def _flow_nodes(root: etree._Element) -> list[etree._Element]:
    query = " | ".join(f"//bpmn:{tag}" for tag in FLOW_NODES)
    return root.xpath(query, namespaces=NS)


def _properties(node: etree._Element) -> dict[str, str]:
    props = node.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value") for p in props}


def check_diagram(root: etree._Element) -> list[Problem]:
    """Every flow node needs a shape and every sequence flow an edge, or editors lose them."""
    shapes = set(root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS))
    edges = set(root.xpath("//bpmndi:BPMNEdge/@bpmnElement", namespaces=NS))
    problems = [(n.get("id"), "no diagram shape (BPMNShape)") for n in _flow_nodes(root) if n.get("id") not in shapes]
    for flow in root.xpath("//bpmn:sequenceFlow", namespaces=NS):
        if flow.get("id") not in edges:
            problems.append((flow.get("id"), "no diagram edge (BPMNEdge)"))
    return problems


def check_lanes(root: etree._Element) -> list[Problem]:
    """Every lane names a known role, and every user task sits in a lane."""
    problems: list[Problem] = []
    in_lane: set[str] = set()
    for lane in root.xpath("//bpmn:lane", namespaces=NS):
        if lane.get("name") not in ROLES:
            known = ", ".join(ROLES)
            problems.append((lane.get("id"), f"lane name {lane.get('name')!r} is not a known role ({known})"))
        in_lane.update(ref.text.strip() for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS) if ref.text)
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        if task.get("id") not in in_lane:
            problems.append((task.get("id"), "user task is outside every lane, so no role can act on it"))
    return problems


def check_forms(root: etree._Element, files: Mapping[str, bytes]) -> list[Problem]:
    """Every form a user task names exists under forms/ and is a valid JSON Schema."""
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        props = _properties(task)
        if "formJsonSchemaFilename" not in props:
            problems.append((task.get("id"), "user task has no form (formJsonSchemaFilename)"))
        for key in FORM_PROPERTIES:
            if key in props:
                problems.extend((task.get("id"), msg) for msg in _form_problems(props[key], files))
    return problems


def _form_problems(name: str, files: Mapping[str, bytes]) -> Iterable[str]:
    path = f"forms/{name}"
    if path not in files:
        yield f"form file {path} does not exist"
        return
    try:
        schema = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as exc:
        yield f"form file {path} is not valid JSON: {exc}"
        return
    if name.endswith(".schema.json"):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            yield f"form file {path} is not a valid JSON Schema: {exc.message}"


def check_properties(root: etree._Element) -> list[Problem]:
    """Deadlines are whole working days; escalation goes to a known role."""
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        props = _properties(task)
        days = props.get("dueWorkingDays")
        if days is not None and not (days.isdigit() and int(days) > 0):
            problems.append((task.get("id"), f"dueWorkingDays must be a whole number of working days, not {days!r}"))
        target = props.get("escalateTo")
        if target is not None and target not in ROLES:
            problems.append((task.get("id"), f"escalateTo {target!r} is not a known role"))
    return problems


def check_operators(root: etree._Element, operators: Iterable[str]) -> list[Problem]:
    known = set(operators)
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:serviceTask", namespaces=NS):
        ops = task.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator/@id", namespaces=NS)
        if not ops:
            problems.append((task.get("id"), "service task names no operator"))
        elif ops[0] not in known:
            problems.append((task.get("id"), f"unknown operator {ops[0]!r}; registered: {', '.join(sorted(known))}"))
    return problems


def check_code(root: etree._Element) -> list[Problem]:
    """Scripts, conditions and timer expressions must compile in the sandbox."""
    problems: list[Problem] = []
    for owner, source, compiler in _code_items(root):
        try:
            compiler(source)
        except SandboxError as exc:
            problems.append((owner, str(exc)))
    return problems


def _code_items(root: etree._Element) -> Iterable[tuple[str, str, object]]:
    for script in root.xpath("//bpmn:scriptTask/bpmn:script", namespaces=NS):
        yield script.getparent().get("id"), script.text or "", compile_script
    for tag in ("preScript", "postScript"):
        for script in root.xpath(f"//spiffworkflow:{tag}", namespaces=NS):
            yield script.getparent().getparent().get("id"), script.text or "", compile_script
    for cond in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NS):
        yield cond.getparent().get("id"), cond.text or "", compile_expression
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for expr in root.xpath(f"//bpmn:timerEventDefinition/bpmn:{tag}", namespaces=NS):
            yield expr.getparent().getparent().get("id"), expr.text or "", compile_expression


def check_timer_literals(root: etree._Element) -> list[Problem]:
    """A timer expression is Python: a bare `P5D` is an undefined name that fails only when the
    timer is reached, so it is refused here with the quoted form to write instead."""
    problems: list[Problem] = []
    for expr in root.xpath("//bpmn:timerEventDefinition/*", namespaces=NS):
        text = (expr.text or "").strip()
        if ISO_LITERAL.match(text):
            owner = expr.getparent().getparent().get("id")
            problems.append((owner, f"timer expression {text} is not quoted: write \"{text}\" (it is Python)"))
    return problems


def check_reachable(root: etree._Element) -> list[Problem]:
    """Every flow node can be reached from a start event of its process or subprocess (or is a
    boundary event of a reachable activity); anything else is dead model."""
    flows: dict[str, list[str]] = {}
    for flow in root.xpath("//bpmn:sequenceFlow", namespaces=NS):
        flows.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    boundaries: dict[str, list[str]] = {}
    for event in root.xpath("//bpmn:boundaryEvent", namespaces=NS):
        boundaries.setdefault(event.get("attachedToRef"), []).append(event.get("id"))
    seen: set[str] = set()
    queue = deque(root.xpath("//bpmn:startEvent/@id", namespaces=NS))
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        queue.extend(flows.get(node, []) + boundaries.get(node, []))
    return [(n.get("id"), "unreachable: no path leads here from a start event")
            for n in _flow_nodes(root) if n.get("id") not in seen]


def lint(root: etree._Element, files: Mapping[str, bytes], operators: Iterable[str]) -> list[Problem]:
    """All of diagflow's rules for one BPMN document."""
    return [
        *check_lanes(root),
        *check_forms(root, files),
        *check_properties(root),
        *check_operators(root, operators),
        *check_code(root),
        *check_timer_literals(root),
        *check_reachable(root),
        *check_diagram(root),
        *check_foreign(root),
    ]


def lint_decisions(root: etree._Element, filename: str) -> list[Problem]:
    """A decision table's input expressions and output cells compile in the sandbox. Input
    entries are unary tests (`>= 90`) that the engine completes with the input, so they are
    left to the DMN parser."""
    problems: list[Problem] = []
    for text in root.xpath("//dmn:inputExpression/dmn:text | //dmn:outputEntry/dmn:text", namespaces=NS):
        source = (text.text or "").strip()
        if source and source != "-":
            try:
                compile_expression(source)
            except SandboxError as exc:
                problems.append((_owner_id(text, filename), str(exc)))
    return problems


def _owner_id(element: etree._Element, fallback: str) -> str:
    node = element.getparent()
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else fallback
