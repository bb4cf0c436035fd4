"""Every XML document (BPMN, DMN) is parsed here, with entities and DTDs refused."""

from __future__ import annotations

import defusedxml.ElementTree as defused
from defusedxml import DefusedXmlException
from lxml import etree

from .i18n import N_, Text

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class UnsafeXml(ValueError):
    """The document is not well-formed XML, or uses DTDs or entities (XML bombs, XXE)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse(data: bytes, filename: str) -> etree._Element:
    """Parse `data` after defusedxml has checked it; raise UnsafeXml naming the file."""
    try:
        defused.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(N_("%(file)s：不允许使用 DTD 和实体声明（%(detail)s）："
                           "请删除文件开头的 <!DOCTYPE …> 部分后再上传",
                           file=filename, detail=exc.__class__.__name__)) from None
    except defused.ParseError as exc:
        raise UnsafeXml(_malformed(filename, exc)) from None
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(_malformed(filename, exc)) from None


def _malformed(filename: str, exc: Exception) -> Text:
    return N_("%(file)s：不是格式正确的 XML（%(detail)s）：请确认上传的是 .bpmn/.dmn 文件，并用建模器重新导出",
              file=filename, detail=str(exc))
