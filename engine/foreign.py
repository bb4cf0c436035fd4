"""What other modelers (Camunda Modeler, Signavio) write into BPMN that diagflow cannot run.

A file from another tool is deployed when it only uses what diagflow executes; otherwise the
process owner gets one line per unsupported feature and element, saying what to use instead,
rather than a model that parses and then misbehaves.
"""

from __future__ import annotations

from lxml import etree

from .i18n import N_
from .model_text import describe

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = ("http://camunda.org/schema/1.0/bpmn", "http://camunda.org/schema/zeebe/1.0")
ACTIVITI = "http://activiti.org/bpmn"

Problem = tuple[str, str]

# Foreign attributes and elements with what diagflow offers instead.
FORM = N_("请删除它，改用 spiffworkflow 属性 formJsonSchemaFilename 指定 JSON Schema 表单")
OPERATOR = N_("请删除它，改用 spiffworkflow:serviceTaskOperator 指定已登记的处理程序")
LANE = N_("请删除它，把任务放入以角色命名的泳道")
ASYNC = N_("请删除它：diagflow 在同一事务中执行引擎步骤，无需异步设置")
ADVICE = {
    "formKey": FORM,
    "formData": FORM,
    "class": OPERATOR,
    "delegateExpression": OPERATOR,
    "expression": OPERATOR,
    "type": OPERATOR,
    "taskDefinition": OPERATOR,
    "assignee": N_("请删除它，把任务放入以角色命名的泳道（指定办理人请用 assignee 属性填写用户 id）"),
    "candidateGroups": LANE,
    "candidateUsers": LANE,
    "asyncBefore": ASYNC,
    "asyncAfter": ASYNC,
}
UNSUPPORTED_ELEMENTS = {
    "complexGateway": N_("请改用排他网关或包容网关"),
    "transaction": N_("请改用普通子流程"),
    "adHocSubProcess": N_("请改用普通子流程或并行的用户任务"),
    "conditionalEventDefinition": N_("请改用网关条件、消息或定时器"),
    "compensateEventDefinition": N_("请把补偿处理建模为普通任务"),
    "escalationEventDefinition": N_("请改用用户任务的 dueWorkingDays 与 escalateTo 属性"),
}


def _owner(element: etree._Element) -> tuple[str, str]:
    """The nearest element with an id, what the process owner finds in the modeler: its id
    and how the message names it."""
    node: etree._Element | None = element
    while node is not None:
        if isinstance(node.tag, str) and node.get("id") and etree.QName(node).namespace == BPMN:
            return node.get("id"), describe(node)
        node = node.getparent()
    return "definitions", N_("模型文件（definitions）")


def _foreign(namespace: str | None) -> str | None:
    if namespace in CAMUNDA:
        return "camunda"
    if namespace == ACTIVITI:
        return "activiti"
    return None


def _feature(prefix: str, local: str, owner: tuple[str, str]) -> Problem:
    advice = ADVICE.get(local, N_("diagflow 不读取这一扩展，请删除它"))
    feature = f"{prefix}:{local}"
    return owner[0], N_("%(element)s 使用了 diagflow 不支持的 %(feature)s：%(advice)s",
                        element=owner[1], feature=feature, advice=advice)


def check_foreign(root: etree._Element) -> list[Problem]:
    """Every vendor extension and unsupported BPMN element, once per element and feature;
    processes that are not marked executable are named too (Signavio exports them so)."""
    problems: list[Problem] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        prefix = _foreign(name.namespace)
        parent = element.getparent()
        inside_foreign = parent is not None and _foreign(etree.QName(parent).namespace) is not None
        if prefix is not None and not inside_foreign:
            problems.append(_feature(prefix, name.localname, _owner(element)))
        if name.namespace == BPMN and name.localname in UNSUPPORTED_ELEMENTS:
            advice, feature = UNSUPPORTED_ELEMENTS[name.localname], f"bpmn:{name.localname}"
            ident, who = _owner(element)
            problems.append((ident, N_("%(element)s 使用了 diagflow 不支持的 %(feature)s：%(advice)s",
                                       element=who, feature=feature, advice=advice)))
        for attribute in element.attrib:
            attr = etree.QName(attribute)
            attr_prefix = _foreign(attr.namespace)
            if attr_prefix is not None:
                problems.append(_feature(attr_prefix, attr.localname, _owner(element)))
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("isExecutable") != "true":
            problems.append((process.get("id") or "process",
                             N_("%(element)s 未标记为可执行（isExecutable）："
                                "请在流程属性中勾选“可执行”，或设置 isExecutable=\"true\"", element=describe(process))))
    return list(dict.fromkeys(problems))
