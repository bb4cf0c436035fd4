"""How validation messages name a model element for a process owner: its kind in Chinese,
its name where it has one, and always its id (the modeler marks the element by that id)."""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .i18n import N_, Text, label

KINDS = {
    "process": N_("流程"),
    "lane": N_("泳道"),
    "startEvent": N_("开始事件"),
    "endEvent": N_("结束事件"),
    "intermediateCatchEvent": N_("中间捕获事件"),
    "intermediateThrowEvent": N_("中间抛出事件"),
    "boundaryEvent": N_("边界事件"),
    "task": N_("任务"),
    "userTask": N_("用户任务"),
    "manualTask": N_("人工任务"),
    "scriptTask": N_("脚本任务"),
    "serviceTask": N_("服务任务"),
    "businessRuleTask": N_("业务规则任务"),
    "sendTask": N_("发送任务"),
    "receiveTask": N_("接收任务"),
    "callActivity": N_("调用活动"),
    "subProcess": N_("子流程"),
    "exclusiveGateway": N_("排他网关"),
    "parallelGateway": N_("并行网关"),
    "inclusiveGateway": N_("包容网关"),
    "eventBasedGateway": N_("事件网关"),
    "complexGateway": N_("复杂网关"),
    "sequenceFlow": N_("顺序流"),
    "message": N_("消息"),
}


NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "dmn",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow",
}


def describe(element: etree._Element) -> Text:
    """`用户任务「审核备案」(review_filing)`, or `用户任务 review_filing` when it has no name."""
    kind = KINDS.get(etree.QName(element).localname, N_("元素"))
    name = " ".join((element.get("name") or "").split())
    ident = element.get("id") or ""
    if name:
        return N_("%(kind)s「%(name)s」(%(id)s)", kind=kind, name=label(name), id=ident)
    return N_("%(kind)s %(id)s", kind=kind, id=ident)


def parser_problem(exc: ValidationException, filename: str) -> tuple[str, str]:
    """SpiffWorkflow's own (English) text, wrapped so the process owner knows what it is about:
    without an element it comes from the schema check, with one from building the process."""
    text = str(exc).strip().rstrip(".").strip()
    for namespace, prefix in NAMESPACES.items():
        text = text.replace(f"{{{namespace}}}", f"{prefix}:")
    standard = "DMN 1.3" if filename.endswith(".dmn") else "BPMN 2.0"
    if not exc.id:
        return filename, N_("%(file)s 不符合 %(standard)s 规范（XSD）：%(detail)s。请用建模器打开并重新保存该文件",
                            file=filename, standard=standard, detail=text)
    if exc.name:
        return exc.id, N_("元素「%(name)s」(%(id)s) 无法解析：%(detail)s。请按提示修改该元素",
                          name=label(exc.name), id=exc.id, detail=text)
    return exc.id, N_("元素(%(id)s) 无法解析：%(detail)s。请按提示修改该元素", id=exc.id, detail=text)
