"""What other modelers (Camunda Modeler, Signavio) write into BPMN that diagflow cannot run.

A file from another tool is deployed when it only uses what diagflow executes; otherwise the
process owner gets one line per unsupported feature and element, saying what to use instead,
rather than a model that parses and then misbehaves.
"""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = ("http://camunda.org/schema/1.0/bpmn", "http://camunda.org/schema/zeebe/1.0")
ACTIVITI = "http://activiti.org/bpmn"

Problem = tuple[str, str]

# Foreign attributes and elements with what diagflow offers instead.
ADVICE = {
    "formKey": "name a JSON Schema form with the spiffworkflow property formJsonSchemaFilename",
    "formData": "name a JSON Schema form with the spiffworkflow property formJsonSchemaFilename",
    "class": "name a registered operator with spiffworkflow:serviceTaskOperator",
    "delegateExpression": "name a registered operator with spiffworkflow:serviceTaskOperator",
    "expression": "name a registered operator with spiffworkflow:serviceTaskOperator",
    "type": "name a registered operator with spiffworkflow:serviceTaskOperator",
    "taskDefinition": "name a registered operator with spiffworkflow:serviceTaskOperator",
    "assignee": "put the task in a lane named after a role (and use the assignee property for a user id)",
    "candidateGroups": "put the task in a lane named after a role",
    "candidateUsers": "put the task in a lane named after a role",
    "asyncBefore": "diagflow runs engine steps in the transaction of the change",
    "asyncAfter": "diagflow runs engine steps in the transaction of the change",
}
UNSUPPORTED_ELEMENTS = {
    "complexGateway": "use an exclusive or inclusive gateway",
    "transaction": "use a plain subprocess",
    "adHocSubProcess": "use a plain subprocess or parallel user tasks",
    "conditionalEventDefinition": "use a gateway condition, a message or a timer",
    "compensateEventDefinition": "model the compensation as ordinary tasks",
    "escalationEventDefinition": "use dueWorkingDays and escalateTo on the user task",
}


def _owner(element: etree._Element) -> str:
    """The nearest element with an id: what the process owner finds in the modeler."""
    node: etree._Element | None = element
    while node is not None:
        if isinstance(node.tag, str) and node.get("id") and etree.QName(node).namespace == BPMN:
            return node.get("id")
        node = node.getparent()
    return "definitions"


def _foreign(namespace: str | None) -> str | None:
    if namespace in CAMUNDA:
        return "camunda"
    if namespace == ACTIVITI:
        return "activiti"
    return None


def _feature(prefix: str, local: str, owner: str) -> Problem:
    advice = ADVICE.get(local, "diagflow does not read this extension")
    return owner, f"{prefix}:{local} is not supported by diagflow: {advice}"


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
            advice = UNSUPPORTED_ELEMENTS[name.localname]
            problems.append((_owner(element), f"bpmn:{name.localname} is not supported by diagflow: {advice}"))
        for attribute in element.attrib:
            attr = etree.QName(attribute)
            attr_prefix = _foreign(attr.namespace)
            if attr_prefix is not None:
                problems.append(_feature(attr_prefix, attr.localname, _owner(element)))
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("isExecutable") != "true":
            problems.append((process.get("id") or "process", "process is not marked executable (isExecutable)"))
    return list(dict.fromkeys(problems))
