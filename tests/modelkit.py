"""Small linear BPMN models with complete diagrams, for tests that need a model of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_{pid}" targetNamespace="http://diagflow.test">"""
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "intermediateCatchEvent": (36, 36)}


@dataclass
class Node:
    """One step: a BPMN tag, its id, and the XML inside it: `head` before the flows
    (extension elements), `tail` after them (a script, an event definition), as the XSD orders."""

    tag: str
    id: str
    name: str = ""
    head: str = ""
    tail: str = ""


def user_task(node_id: str, name: str, form: str, **properties: str) -> Node:
    props = {"formJsonSchemaFilename": f"{form}.schema.json", **properties}
    inner = "".join(f'<spiffworkflow:property name="{k}" value={quoteattr(v)}/>' for k, v in props.items())
    return Node("userTask", node_id, name, head=f"<bpmn:extensionElements><spiffworkflow:properties>{inner}"
                                          "</spiffworkflow:properties></bpmn:extensionElements>")


def script_task(node_id: str, script: str) -> Node:
    return Node("scriptTask", node_id, node_id, tail=f"<bpmn:script>{escape(script)}</bpmn:script>")


def timer(node_id: str, expression: str, kind: str = "timeDate") -> Node:
    return Node("intermediateCatchEvent", node_id, node_id,
                tail=f"<bpmn:timerEventDefinition><bpmn:{kind}>{escape(expression)}</bpmn:{kind}></bpmn:timerEventDefinition>")


def message_wait(node_id: str, message: str, variable: str) -> Node:
    """An intermediate catch event for `message`; its payload lands in `variable`.
    (`linear_model` declares the bpmn:message elements for these.)"""
    return Node("intermediateCatchEvent", node_id, node_id, tail=(
        f'<bpmn:messageEventDefinition messageRef="msg_{message}"><bpmn:extensionElements>'
        f"<spiffworkflow:messageVariable>{variable}</spiffworkflow:messageVariable>"
        "</bpmn:extensionElements></bpmn:messageEventDefinition>"))


def service_task(node_id: str, operator: str, result: str) -> Node:
    return Node("serviceTask", node_id, node_id, head=(
        f'<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">'
        "<spiffworkflow:parameters/></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"))


def linear_model(process_id: str, role: str, steps: list[Node], starter_roles: str = "") -> bytes:
    """start → steps… → end, all in one lane named `role`, with shapes and edges."""
    start = Node("startEvent", "start")
    if starter_roles:
        start.head = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="starterRoles" '
                      f'value="{starter_roles}"/></spiffworkflow:properties></bpmn:extensionElements>')
    nodes = [start, *steps, Node("endEvent", "end")]
    flows = [(f"flow_{i}", a.id, b.id) for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))]
    xml = [HEADER.format(pid=process_id)]
    for message in sorted({n.tail.split('messageRef="msg_')[1].split('"')[0] for n in steps if "messageRef" in n.tail}):
        xml.append(f'<bpmn:message id="msg_{message}" name="{message}"/>')
    xml.append(f'<bpmn:collaboration id="collab"><bpmn:participant id="pool" processRef="{process_id}"/></bpmn:collaboration>')
    xml.append(f'<bpmn:process id="{process_id}" isExecutable="true"><bpmn:laneSet id="lanes">'
               f'<bpmn:lane id="lane_{role}" name="{role}">')
    xml += [f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in nodes]
    xml.append("</bpmn:lane></bpmn:laneSet>")
    for n in nodes:
        incoming = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _, t in flows if t == n.id)
        outgoing = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, s, _ in flows if s == n.id)
        xml.append(f'<bpmn:{n.tag} id="{n.id}" name={quoteattr(n.name)}>{n.head}{incoming}{outgoing}{n.tail}</bpmn:{n.tag}>')
    xml += [f'<bpmn:sequenceFlow id="{f}" sourceRef="{s}" targetRef="{t}"/>' for f, s, t in flows]
    xml.append('</bpmn:process><bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="collab">')
    width = 160 * len(nodes) + 60
    xml.append(f'<bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true"><dc:Bounds x="100" y="50" width="{width}" height="200"/></bpmndi:BPMNShape>')
    xml.append(f'<bpmndi:BPMNShape id="lane_di" bpmnElement="lane_{role}" isHorizontal="true"><dc:Bounds x="130" y="50" width="{width - 30}" height="200"/></bpmndi:BPMNShape>')
    centres = []
    for i, n in enumerate(nodes):
        w, h = SIZES.get(n.tag, (100, 80))
        x, y = 180 + 160 * i, 150 - h // 2
        centres.append((x, x + w))
        xml.append(f'<bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"><dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')
    for i, (f, _, _) in enumerate(flows):
        xml.append(f'<bpmndi:BPMNEdge id="{f}_di" bpmnElement="{f}"><di:waypoint x="{centres[i][1]}" y="150"/>'
                   f'<di:waypoint x="{centres[i + 1][0]}" y="150"/></bpmndi:BPMNEdge>')
    xml.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>")
    return "\n".join(xml).encode()


def note_form() -> bytes:
    return json.dumps({"type": "object", "title": "备注", "additionalProperties": False,
                       "properties": {"note": {"type": "string", "title": "备注", "maxLength": 200}}}).encode()
