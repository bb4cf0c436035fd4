"""Turn what a process owner hands in (modeler parts, uploaded files, a zip) into a model set,
and check it without deploying: every problem is listed with its element id, never raised.

The repository's `parse_set` is the one place the rules live; this module only assembles its
input and catches its answer, so "validate", "save draft" and "deploy" can never disagree.
"""

from __future__ import annotations

import inspect
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .errors import ValidationFailed
from .i18n import N_
from .lint import NS, lint_decisions
from .model_text import parser_problem
from .repository import RepositoryService
from .xmlsafe import UnsafeXml, parse

Problem = tuple[str, str]
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ZIP_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 200


def process_id_of(bpmn: bytes, filename: str = "model.bpmn") -> str | None:
    """The id of the executable process in a BPMN document (the one named like the file
    when there are several), or None when the document has none or is not XML."""
    try:
        root = parse(bpmn, filename)
    except UnsafeXml:
        return None
    ids = root.xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=NS) or root.xpath(
        "//bpmn:process/@id", namespaces=NS
    )
    stem = PurePosixPath(filename).stem
    return stem if stem in ids else (ids[0] if ids else None)


def form_bytes(form: Any) -> bytes:
    return (json.dumps(form, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def from_parts(
    process_id: str, bpmn: str, forms: Mapping[str, Any], decisions: Mapping[str, str],
    original: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The files of a model set from the modeler's parts. A form equal to the file it came
    from keeps that file's text, so an unchanged draft deploys as the same version."""
    files = {f"{process_id}.bpmn": bpmn.encode("utf-8")}
    for name, xml in decisions.items():
        files[PurePosixPath(name).name] = xml.encode("utf-8")
    for name, form in forms.items():
        path = f"forms/{PurePosixPath(name).name}"
        kept = (original or {}).get(path)
        files[path] = kept if kept is not None and _json_equal(kept, form) else form_bytes(form)
    return files


def _json_equal(data: bytes, value: Any) -> bool:
    try:
        return json.loads(data) == value
    except ValueError:
        return False


def parts_of(files: Mapping[str, bytes], process_id: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The modeler's view of a stored model set: BPMN text, forms as objects, decisions as text."""
    forms = {name.removeprefix("forms/"): json.loads(data) for name, data in files.items() if name.startswith("forms/")}
    decisions = {name: data.decode("utf-8") for name, data in files.items() if name.endswith(".dmn")}
    return files[f"{process_id}.bpmn"].decode("utf-8"), forms, decisions


def from_uploads(uploads: Iterable[tuple[str, bytes]]) -> tuple[str | None, dict[str, bytes], list[Problem]]:
    """A model set from uploaded files (.bpmn, .dmn, *.schema.json / *.uischema.json, or one
    .zip of them): its process id, its files keyed as the repository stores them, and every
    problem with the upload itself (named by file)."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for filename, data in uploads:
        if filename.lower().endswith(".zip"):
            problems.extend(_unzip(filename, data, files))
        else:
            problems.extend(_add(filename, data, files))
    bpmns = [name for name in files if name.endswith(".bpmn")]
    if len(bpmns) != 1:
        problems.append(("upload", N_("一个模型集需要且只能有一个 .bpmn 文件，现在有 %(count)s 个："
                                      "请只上传一个流程文件（可附带 .dmn 决策表和表单文件）", count=len(bpmns))))
        return None, files, problems
    process_id = process_id_of(files[bpmns[0]], bpmns[0])
    if process_id is None:
        return None, files, problems
    files[f"{process_id}.bpmn"] = files.pop(bpmns[0])
    return process_id, files, problems


def _add(filename: str, data: bytes, files: dict[str, bytes]) -> list[Problem]:
    name = PurePosixPath(filename.replace("\\", "/")).name
    if len(data) > MAX_FILE_BYTES:
        return [(name, N_("文件超过 %(size)s MB：请精简后再上传", size=MAX_FILE_BYTES // 1024 // 1024))]
    if name.endswith((".bpmn", ".dmn")):
        files[name] = data
    elif name.endswith(".json"):
        files[f"forms/{name}"] = data
    else:
        return [(name, N_("不属于模型集：只能上传 .bpmn、.dmn、.schema.json、.uischema.json 文件或它们的 .zip 压缩包"))]
    return []


def _unzip(filename: str, data: bytes, files: dict[str, bytes]) -> list[Problem]:
    """Read a zip defensively: a size and entry limit on what it expands to (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError) as exc:
        return [(filename, N_("不是可读取的 zip 文件（%(detail)s）：请重新压缩后上传", detail=str(exc)))]
    if len(entries) > MAX_ZIP_ENTRIES or sum(info.file_size for info in entries) > MAX_ZIP_BYTES:
        return [(filename, N_("zip 解压后超过 %(files)s 个文件或 %(size)s MB：请只打包模型集所需的文件",
                              files=MAX_ZIP_ENTRIES, size=MAX_ZIP_BYTES // 1024 // 1024))]
    problems: list[Problem] = []
    for info in entries:
        try:
            problems.extend(_add(info.filename, archive.read(info), files))
        except (zipfile.BadZipFile, RuntimeError, ValueError) as exc:
            problems.append((info.filename, N_("无法从 zip 中读出（%(detail)s）：请重新压缩后上传", detail=str(exc))))
    return problems


def problems_of(repository: RepositoryService, process_id: str | None, files: Mapping[str, bytes]) -> list[Problem]:
    """Every problem of a model set (empty when it is deployable)."""
    bpmns = [name for name in files if name.endswith(".bpmn")]
    if process_id is None:
        return _unparsable(files, bpmns)
    try:
        repository.validate(process_id, files)
    except ValidationFailed as failed:
        return failed.problems
    return []


def _unparsable(files: Mapping[str, bytes], bpmns: list[str]) -> list[Problem]:
    for name in bpmns:
        try:
            parse(files[name], name)
        except UnsafeXml as exc:
            return [(name, exc.message)]
    return ([(name, N_("文件中没有 BPMN 流程（bpmn:process）：请在建模器中画出流程后再导出")) for name in bpmns]
            or [("upload", N_("没有 BPMN 文件：请上传一个 .bpmn 流程文件"))])


def dmn_problems(data: bytes, filename: str) -> list[Problem]:
    """Check one decision file alone: safe XML, the DMN schema, and every cell in the sandbox."""
    try:
        root = parse(data, filename)
    except UnsafeXml as exc:
        return [(filename, exc.message)]
    problems: list[Problem] = []
    try:
        SpiffBpmnParser(validator=VALIDATOR).add_dmn_xml(root, filename)
    except ValidationException as exc:
        problems.append(parser_problem(exc, filename))
    except (etree.XPathError, IndexError):
        return [(filename, N_("不是 DMN 决策文件（没有含 decision 的 dmn:definitions）：请上传 DMN 1.3 决策表"))]
    return problems + lint_decisions(root, filename)


def catalogue(
    roles: Mapping[str, str], operators: Iterable[str], functions: Mapping[str, Any], models: Iterable[bytes]
) -> dict[str, Any]:
    """What a model may refer to, for the modeler's pickers: role keys with their Chinese
    names, registered operators, sandbox functions with their signatures, and the message
    names the deployed models already use."""
    messages: set[str] = set()
    for xml in models:
        try:
            messages.update(parse(xml, "model.bpmn").xpath("//bpmn:message/@name", namespaces=NS))
        except UnsafeXml:
            continue
    return {
        "roles": [{"key": key, "label": label} for key, label in roles.items()],
        "operators": sorted(operators),
        "functions": [_function(name, fn) for name, fn in sorted(functions.items())],
        "messages": sorted(messages),
    }


def _function(name: str, fn: Any) -> dict[str, str]:
    try:
        signature = str(inspect.signature(fn))
    except (TypeError, ValueError):
        signature = "(...)"
    return {"name": name, "signature": f"{name}{signature}", "doc": inspect.getdoc(fn) or ""}
