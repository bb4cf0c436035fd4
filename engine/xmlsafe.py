"""Every XML document (BPMN, DMN) is parsed here, with entities and DTDs refused."""

from __future__ import annotations

import defusedxml.ElementTree as defused
from defusedxml import DefusedXmlException
from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class UnsafeXml(ValueError):
    """The document is not well-formed XML, or uses DTDs or entities (XML bombs, XXE)."""


def parse(data: bytes, filename: str) -> etree._Element:
    """Parse `data` after defusedxml has checked it; raise UnsafeXml naming the file."""
    try:
        defused.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"{filename}: DTDs and entities are not allowed ({exc.__class__.__name__})") from None
    except defused.ParseError as exc:
        raise UnsafeXml(f"{filename}: not well-formed XML ({exc})") from None
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"{filename}: not well-formed XML ({exc})") from None
