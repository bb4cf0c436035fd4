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
from .i18n import N_, Text, series
from .model_text import describe
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
CODE_KINDS = {
    "script": N_("脚本"), "preScript": N_("前置脚本"), "postScript": N_("后置脚本"),
    "conditionExpression": N_("条件表达式"), "timeDuration": N_("定时器表达式"), "timeDate": N_("定时器表达式"),
    "timeCycle": N_("定时器表达式"),
}


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
    problems = [(n.get("id"), N_("%(element)s 在流程图中没有图形（BPMNShape）：请在建模器中删除后重新放置它",
                                 element=describe(n)))
                for n in _flow_nodes(root) if n.get("id") not in shapes]
    for flow in root.xpath("//bpmn:sequenceFlow", namespaces=NS):
        if flow.get("id") not in edges:
            problems.append((flow.get("id"), N_("%(element)s 在流程图中没有连线（BPMNEdge）：请在建模器中重新连接它",
                                                element=describe(flow))))
    return problems


def check_lanes(root: etree._Element) -> list[Problem]:
    """Every lane names a known role, and every user task sits in a lane."""
    problems: list[Problem] = []
    in_lane: set[str] = set()
    for lane in root.xpath("//bpmn:lane", namespaces=NS):
        if lane.get("name") not in ROLES:
            problems.append((lane.get("id"), N_("%(element)s 的名称不是已知角色：请在“办理角色”中选择，"
                                                "泳道名称须为角色代码之一（%(roles)s）",
                                                element=describe(lane), roles=_known_roles())))
        in_lane.update(ref.text.strip() for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS) if ref.text)
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        if task.get("id") not in in_lane:
            problems.append((task.get("id"), N_("%(element)s 不在任何泳道内，没有角色能办理它："
                                                "请把它拖入代表办理角色的泳道", element=describe(task))))
    return problems


def _known_roles() -> Text:
    """`city_bureau 市工业和信息化局、city_finance 市财政局、…`, each role's name translatable."""
    roles = [N_("%(key)s %(role)s", key=key, role=role) for key, role in ROLES.items()]
    return series(roles)


def check_forms(root: etree._Element, files: Mapping[str, bytes]) -> list[Problem]:
    """Every form a user task names exists under forms/ and is a valid JSON Schema."""
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        props = _properties(task)
        if "formJsonSchemaFilename" not in props:
            problems.append((task.get("id"), N_("%(element)s 没有表单（formJsonSchemaFilename）："
                                                "请在属性面板中为它选择表单", element=describe(task))))
        for key in FORM_PROPERTIES:
            if key in props:
                problems.extend((task.get("id"), N_("%(element)s：%(message)s", element=describe(task), message=msg))
                                for msg in _form_problems(props[key], files))
    return problems


def _form_problems(name: str, files: Mapping[str, bytes]) -> Iterable[Text]:
    path = f"forms/{name}"
    if path not in files:
        yield N_("表单文件 %(path)s 不存在：请上传该表单文件，或改选已有的表单", path=path)
        return
    try:
        schema = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as exc:
        yield N_("表单文件 %(path)s 不是有效的 JSON（%(detail)s）：请修正该文件", path=path, detail=str(exc))
        return
    if name.endswith(".schema.json"):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            yield N_("表单文件 %(path)s 不是有效的 JSON Schema（%(detail)s）：请修正该文件",
                     path=path, detail=exc.message)


def check_properties(root: etree._Element) -> list[Problem]:
    """Deadlines are whole working days; escalation goes to a known role."""
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        props = _properties(task)
        days = props.get("dueWorkingDays")
        if days is not None and not (days.isdigit() and int(days) > 0):
            problems.append((task.get("id"), N_("%(element)s 的办理期限 dueWorkingDays 为 %(days)s："
                                                "请填写正整数的工作日数，如 5",
                                                element=describe(task), days=repr(days))))
        target = props.get("escalateTo")
        if target is not None and target not in ROLES:
            problems.append((task.get("id"), N_("%(element)s 的超期上报对象 escalateTo %(target)s 不是已知角色："
                                                "请填写角色代码之一（%(roles)s）",
                                                element=describe(task), target=repr(target), roles=_known_roles())))
    return problems


def check_operators(root: etree._Element, operators: Iterable[str]) -> list[Problem]:
    known = set(operators)
    problems: list[Problem] = []
    for task in root.xpath("//bpmn:serviceTask", namespaces=NS):
        ops = task.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator/@id", namespaces=NS)
        if not ops:
            problems.append((task.get("id"), N_("%(element)s 没有指定处理程序（serviceTaskOperator）："
                                                "请在属性面板中选择已登记的处理程序", element=describe(task))))
        elif ops[0] not in known:
            problems.append((task.get("id"), N_("%(element)s 的处理程序 %(operator)s 未登记：请改选已登记的处理程序"
                                                "（%(operators)s）", element=describe(task), operator=repr(ops[0]),
                                                operators="、".join(sorted(known)))))
    return problems


def check_code(root: etree._Element) -> list[Problem]:
    """Scripts, conditions and timer expressions must compile in the sandbox."""
    problems: list[Problem] = []
    for owner, code, compiler in _code_items(root):
        try:
            compiler(code.text or "")
        except SandboxError as exc:
            what = CODE_KINDS.get(etree.QName(code).localname, N_("代码"))
            problems.append((owner.get("id"), N_("%(element)s 的%(kind)s不能使用：%(reason)s",
                                                 element=describe(owner), kind=what, reason=exc.message)))
    return problems


def _code_items(root: etree._Element) -> Iterable[tuple[etree._Element, etree._Element, object]]:
    """(owning element, code element, compiler) for every piece of model code."""
    for script in root.xpath("//bpmn:scriptTask/bpmn:script", namespaces=NS):
        yield script.getparent(), script, compile_script
    for tag in ("preScript", "postScript"):
        for script in root.xpath(f"//spiffworkflow:{tag}", namespaces=NS):
            yield script.getparent().getparent(), script, compile_script
    for cond in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NS):
        yield cond.getparent(), cond, compile_expression
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for expr in root.xpath(f"//bpmn:timerEventDefinition/bpmn:{tag}", namespaces=NS):
            yield expr.getparent().getparent(), expr, compile_expression


def check_timer_literals(root: etree._Element) -> list[Problem]:
    """A timer expression is Python: a bare `P5D` is an undefined name that fails only when the
    timer is reached, so it is refused here with the quoted form to write instead."""
    problems: list[Problem] = []
    for expr in root.xpath("//bpmn:timerEventDefinition/*", namespaces=NS):
        text = (expr.text or "").strip()
        if ISO_LITERAL.match(text):
            owner = expr.getparent().getparent()
            problems.append((owner.get("id"), N_("%(element)s 的定时器表达式 %(text)s 未加引号：请写成 \"%(text)s\""
                                                 "（表达式按 Python 解释）", element=describe(owner), text=text)))
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
    return [(n.get("id"), N_("%(element)s 无法到达，没有从开始事件通向它的路径：请用顺序流把它连入流程，或删除它",
                             element=describe(n)))
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
                owner = _owner_id(text, filename)
                problems.append((owner, N_("决策表 %(file)s 中 %(owner)s 的表达式 %(source)s 不能使用：%(reason)s",
                                           file=filename, owner=owner, source=source, reason=exc.message)))
    return problems


def _owner_id(element: etree._Element, fallback: str) -> str:
    node = element.getparent()
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else fallback
