"""What an uploaded file really is: its type from its content (magic bytes), never from its name.

Pure functions on bytes and names, so the rules are testable without a database. A file is
accepted only when its content is one of the kinds below and its extension is one that kind
may carry: a renamed executable (ELF, PE) named `.pdf` is refused.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from .errors import InvalidData
from .i18n import N_

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# A media type as a reader names it, for "应上传 PDF 文件".
EXTENSIONS_OF = {
    "application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "application/msword": "Word (doc)",
    "application/vnd.ms-excel": "Excel (xls)", CONTENT_TYPES["docx"]: "Word (docx)",
    CONTENT_TYPES["xlsx"]: "Excel (xlsx)", CONTENT_TYPES["pptx"]: "PowerPoint (pptx)",
}
ACCEPTED_TEXT = N_("PDF、PNG、JPEG 图片或 Office 文档（docx、xlsx、pptx、doc、xls）")
DEFAULT_MAX_MB = 20

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OOXML: the part that makes a package a document, a workbook or a presentation.
_OOXML_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"))
# OLE2 (legacy Office): the stream names sit in the directory as UTF-16LE.
_OLE2_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"))
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 120


@dataclass(frozen=True)
class CheckedFile:
    """An accepted file: its cleaned name, extension and content type."""

    filename: str
    extension: str
    content_type: str


def max_upload_bytes() -> int:
    """The size limit: DIAGFLOW_MAX_UPLOAD_MB (default 20), read at each upload so it can change."""
    return int(float(os.environ.get("DIAGFLOW_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def sniff(data: bytes) -> frozenset[str]:
    """The extensions the content may carry; empty when it is none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return frozenset({"pdf"})
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return frozenset({"png"})
    if data.startswith(b"\xff\xd8\xff"):
        return frozenset({"jpg", "jpeg"})
    if data.startswith(_OLE2):
        return _ole2_kind(data)
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    return frozenset()


def _ole2_kind(data: bytes) -> frozenset[str]:
    for stream, extension in _OLE2_STREAMS:
        if stream.encode("utf-16-le") in data:
            return frozenset({extension})
    return frozenset()


def _ooxml_kind(data: bytes) -> frozenset[str]:
    """A zip is an Office document only with [Content_Types].xml and its main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        return frozenset()
    if "[Content_Types].xml" not in names:
        return frozenset()
    return frozenset(extension for part, extension in _OOXML_PARTS if part in names)


def sanitise_filename(name: str) -> str:
    """A name safe to store and to send back: no path, no control or reserved characters,
    no leading dots, at most 120 characters with the extension kept."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip().lstrip(".").strip()
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    extension = extension[:10]
    stem = stem[: _MAX_NAME - len(extension) - 1] or "附件"
    return f"{stem}.{extension}" if extension else stem


def check_file(data: bytes, filename: str, field: str, max_bytes: int) -> CheckedFile:
    """Accept the file or raise InvalidData({field: message}) saying why not."""
    if not data:
        raise InvalidData({field: N_("文件为空，请重新选择")})
    if len(data) > max_bytes:
        raise InvalidData({field: N_("文件超过 %(size)s MB 的上限", size=format(max_bytes / 1024 / 1024, "g"))})
    clean = sanitise_filename(filename)
    extension = clean.rpartition(".")[2].lower() if "." in clean else ""
    kinds = sniff(data)
    if not kinds:
        raise InvalidData({field: N_("不支持的文件类型：只接受 %(accepted)s", accepted=ACCEPTED_TEXT)})
    if extension not in kinds:
        shown = f".{extension}" if extension else N_("（无扩展名）")
        raise InvalidData({field: N_("文件扩展名 %(extension)s 与文件内容（%(kinds)s）不符", extension=shown,
                                     kinds="/".join(sorted(kinds)))})
    return CheckedFile(filename=clean, extension=extension, content_type=CONTENT_TYPES[extension])
