"""Deployed versions as a process owner sees them: who deployed what when, what changed from
the version before (by element id, from the parsed XML), and the files as a zip.

Running instances stay on the version they started on; a new version only affects new starts
(and instances moved on purpose with `engine.migration`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .errors import NotFound
from .i18n import N_
from .lint import FLOW_NODES, NS
from .models import ProcessVersion
from .repository import Deployed, RepositoryService
from .xmlsafe import UnsafeXml, parse

# Elements compared one by one; a container's signature leaves these children out, so a
# changed task shows as that task, not also as its process or subprocess.
TRACKED = frozenset(f"{{{NS['bpmn']}}}{tag}" for tag in (*FLOW_NODES, "sequenceFlow", "lane", "process", "message"))


def element_signatures(xml: bytes, filename: str) -> dict[str, bytes]:
    """Each tracked BPMN element's id → its canonical XML without tracked children."""
    try:
        root = parse(xml, filename)
    except UnsafeXml:
        return {}
    signatures: dict[str, bytes] = {}
    for element in root.iter(*TRACKED):
        copy = etree.fromstring(etree.tostring(element))
        for child in [c for c in copy.iter() if c is not copy and c.tag in TRACKED]:
            parent = child.getparent()
            if parent is not None:
                parent.remove(child)
        for node in copy.iter():
            node.tail = node.tail.strip() if node.tail else None
            node.text = node.text.strip() if node.text else None
        signatures[element.get("id", "")] = etree.tostring(copy, method="c14n")
    return signatures


def summarize(old: Mapping[str, bytes], new: Mapping[str, bytes], process_id: str) -> dict[str, list[str]]:
    """Elements (by id) and other files (by name) added, removed and changed from `old` to `new`."""
    name = f"{process_id}.bpmn"
    before = element_signatures(old[name], name) if name in old else {}
    after = element_signatures(new[name], name) if name in new else {}
    for files, target in ((old, before), (new, after)):
        target.update({path: data for path, data in files.items() if path != name})
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(key for key in set(before) & set(after) if before[key] != after[key]),
    }


def _files(row: ProcessVersion) -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in row.files.items()}


class VersionService:
    """List, compare and export the deployed versions of a process."""

    def __init__(self, sessions: sessionmaker[Session], repository: RepositoryService) -> None:
        self._sessions = sessions
        self._repository = repository

    def deploy(self, process_id: str, files: Mapping[str, bytes], actor: Actor) -> dict[str, Any]:
        """Deploy (or find the identical) version and say what changed from the newest one before."""
        previous = self.files(process_id)
        deployed: Deployed = self._repository.deploy(process_id, files, actor.username)
        return {
            "process_id": process_id,
            "version": deployed.version,
            "summary": summarize(previous[1] if previous else {}, files, process_id),
        }

    def files(self, process_id: str, version: int | None = None) -> tuple[int, dict[str, bytes]] | None:
        """The number and files of one version (the newest when `version` is None), or None."""
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        query = query.where(ProcessVersion.version == version) if version else query
        with self._sessions() as session:
            row = session.scalar(query.order_by(ProcessVersion.version.desc()).limit(1))
            return (row.version, _files(row)) if row is not None else None

    def history(self, process_id: str) -> list[dict[str, Any]]:
        """Every version, oldest first, with who deployed it, when, and what changed."""
        with self._sessions() as session:
            rows = list(session.scalars(
                select(ProcessVersion).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version)
            ))
            if not rows:
                raise NotFound(N_("流程 %(process_id)s 尚未发布", process_id=process_id))
            result, previous = [], {}
            for row in rows:
                files = _files(row)
                result.append({"version": row.version, "deployed_by": row.deployed_by,
                               "deployed_at": row.deployed_at, "summary": summarize(previous, files, process_id)})
                previous = files
            return result

    def export_zip(self, process_id: str, version: int) -> bytes:
        """The version's files as a zip, laid out like a `processes/<id>/` folder."""
        found = self.files(process_id, version)
        if found is None or found[0] != version:
            raise NotFound(N_("流程 %(process_id)s 没有第 %(version)s 版", process_id=process_id, version=version))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(found[1].items()):
                archive.writestr(f"{process_id}/{name}", data)
        return buffer.getvalue()

    def process_ids(self) -> list[str]:
        with self._sessions() as session:
            query = select(ProcessVersion.process_id).distinct().order_by(ProcessVersion.process_id)
            return list(session.scalars(query))

    def version_id(self, process_id: str, version: int) -> int:
        with self._sessions() as session:
            found = session.scalar(select(ProcessVersion.id).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == version))
        if found is None:
            raise NotFound(N_("流程 %(process_id)s 没有第 %(version)s 版", process_id=process_id, version=version))
        return found
