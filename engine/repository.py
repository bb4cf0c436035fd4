"""What is deployed: validate a model set, store it with its hash and version, cache the spec.

A model set is one folder of `processes/` (or an upload): BPMN and DMN files plus `forms/`.
Instances are pinned to the version they started on; deploying never touches them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .clock import Clock
from .errors import NotFound, ValidationFailed
from .i18n import N_
from .lint import lint, lint_decisions
from .model_text import parser_problem
from .models import ProcessVersion
from .serializer import InstanceSerializer
from .xmlsafe import UnsafeXml, parse

MODEL_SUFFIXES = (".bpmn", ".dmn", ".json")


@dataclass(frozen=True)
class UserTaskInfo:
    """What the engine needs to know about one user task of a model."""

    bpmn_id: str
    name: str
    role: str | None
    form: dict[str, Any] | None
    ui_schema: dict[str, Any]
    instructions: str
    properties: dict[str, str]


@dataclass(frozen=True)
class Deployed:
    """A deployed version, parsed once and cached."""

    version_id: int
    process_id: str
    version: int
    sha256: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    roles: frozenset[str]
    starter_roles: frozenset[str]
    spec_json: str
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)
    name: str = ""

    def element_names(self) -> dict[str, str]:
        specs = [self.spec, *self.subprocess_specs.values()]
        return {t.bpmn_id: t.bpmn_name for s in specs for t in s.task_specs.values() if t.bpmn_id and t.bpmn_name}


@dataclass(frozen=True)
class ParsedSet:
    process_id: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    files: dict[str, bytes]


def read_folder(folder: Path) -> dict[str, bytes]:
    """The files of one model set, keyed by their path relative to the folder."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in MODEL_SUFFIXES
    }


def files_sha256(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def parse_set(process_id: str, files: Mapping[str, bytes], operators: Iterable[str]) -> ParsedSet:
    """Validate a model set completely; raise ValidationFailed listing every problem."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems: list[tuple[str, str]] = []
    for name, data in sorted(files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = parse(data, name)
        except UnsafeXml as exc:
            problems.append((name, exc.message))
            continue
        problems.extend(lint(root, files, operators) if name.endswith(".bpmn") else lint_decisions(root, name))
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_xml(etree.ElementTree(root), name)
            else:
                parser.add_dmn_xml(root, name)
        except ValidationException as exc:
            problems.append(parser_problem(exc, name))
        except (etree.XPathError, IndexError):
            problems.append((name, N_("文件内容与扩展名不符：.bpmn 文件须是 BPMN 流程，.dmn 文件须是 DMN 决策表")))
    if not any(name.endswith(".bpmn") for name in files):
        problems.append((process_id, N_("模型集中没有 BPMN 文件：请上传一个 .bpmn 流程文件")))
    if problems:
        raise ValidationFailed(problems)
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ValidationFailed([parser_problem(exc, f"{process_id}.bpmn")]) from None
    except (SpiffWorkflowException, KeyError) as exc:
        raise ValidationFailed([(process_id, N_("流程 %(process_id)s 无法构建（%(detail)s）："
                                                "请确认流程 id 与文件名一致，并检查开始事件、结束事件和子流程",
                                                process_id=process_id, detail=str(exc)))]) from None
    return ParsedSet(process_id, spec, subprocess_specs, dict(files))


def _user_tasks(parsed: ParsedSet) -> dict[str, UserTaskInfo]:
    tasks: dict[str, UserTaskInfo] = {}
    for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if not getattr(task_spec, "manual", False):
                continue
            extensions = getattr(task_spec, "extensions", {}) or {}
            props = extensions.get("properties", {})
            tasks[task_spec.bpmn_id] = UserTaskInfo(
                bpmn_id=task_spec.bpmn_id,
                name=task_spec.bpmn_name or task_spec.bpmn_id,
                role=task_spec.lane,
                form=_load_json(parsed.files, props.get("formJsonSchemaFilename")),
                ui_schema=_load_json(parsed.files, props.get("formUiSchemaFilename")) or {},
                instructions=(extensions.get("instructionsForEndUser") or "").strip(),
                properties=props,
            )
    return tasks


def _load_json(files: Mapping[str, bytes], name: str | None) -> dict[str, Any] | None:
    return json.loads(files[f"forms/{name}"]) if name else None


def _starter_roles(spec: BpmnProcessSpec) -> frozenset[str]:
    """Who may start: the start event's `starterRoles` property (space-separated role keys),
    else the role of the start event's lane."""
    if not spec.start.outputs:
        return frozenset()
    start_event = spec.start.outputs[0]
    listed = (getattr(start_event, "extensions", {}) or {}).get("properties", {}).get("starterRoles")
    if listed:
        return frozenset(listed.split())
    return frozenset({start_event.lane}) if start_event.lane else frozenset()


class RepositoryService:
    """Deploy and find process versions; parses each version once per process."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, operators: Iterable[str]) -> None:
        self._sessions = sessions
        self._clock = clock
        self._operators = frozenset(operators)
        self._cache: dict[int, Deployed] = {}
        self.serializer = InstanceSerializer()

    def validate(self, process_id: str, files: Mapping[str, bytes]) -> ParsedSet:
        return parse_set(process_id, files, self._operators)

    def deploy(self, process_id: str, files: Mapping[str, bytes], deployed_by: str) -> Deployed:
        """Store a new version, or return the existing one when the files are unchanged."""
        parsed = self.validate(process_id, files)
        sha = files_sha256(files)
        with self._sessions.begin() as session:
            existing = session.scalar(
                select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.sha256 == sha)
            )
            if existing is None:
                latest = session.scalar(
                    select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == process_id)
                )
                existing = ProcessVersion(
                    process_id=process_id,
                    version=(latest or 0) + 1,
                    sha256=sha,
                    files={name: data.decode("utf-8") for name, data in files.items()},
                    spec_json=self.serializer.spec_json(parsed.spec, parsed.subprocess_specs),
                    deployed_at=self._clock.now(),
                    deployed_by=deployed_by,
                )
                session.add(existing)
                session.flush()
            return self._remember(existing.id, existing.version, sha, parsed)

    def deploy_folder(self, folder: Path, deployed_by: str) -> Deployed:
        return self.deploy(folder.name, read_folder(folder), deployed_by)

    def _remember(self, version_id: int, version: int, sha: str, parsed: ParsedSet) -> Deployed:
        lanes = {t.lane for s in [parsed.spec, *parsed.subprocess_specs.values()] for t in s.task_specs.values()}
        deployed = Deployed(
            version_id=version_id,
            process_id=parsed.process_id,
            version=version,
            sha256=sha,
            spec=parsed.spec,
            subprocess_specs=parsed.subprocess_specs,
            roles=frozenset(lane for lane in lanes if lane),
            starter_roles=_starter_roles(parsed.spec),
            spec_json=self.serializer.spec_json(parsed.spec, parsed.subprocess_specs),
            user_tasks=_user_tasks(parsed),
            name=parsed.spec.description or parsed.process_id,
        )
        self._cache[version_id] = deployed
        return deployed

    def get(self, version_id: int) -> Deployed:
        """The parsed version, from the cache or parsed from its stored files."""
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        with self._sessions() as session:
            row = session.get(ProcessVersion, version_id)
            if row is None:
                raise NotFound(N_("流程版本 %(version_id)s 不存在", version_id=version_id))
            files = {name: text.encode("utf-8") for name, text in row.files.items()}
            parsed = parse_set(row.process_id, files, self._operators)
            return self._remember(row.id, row.version, row.sha256, parsed)

    def latest(self, process_id: str) -> Deployed:
        with self._sessions() as session:
            version_id = session.scalar(
                select(ProcessVersion.id)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.version.desc())
                .limit(1)
            )
        if version_id is None:
            raise NotFound(N_("流程 %(process_id)s 尚未发布", process_id=process_id))
        return self.get(version_id)

    def startable_by(self, role: str) -> list[Deployed]:
        """The latest version of every process this role may start, by name."""
        with self._sessions() as session:
            latest_ids = session.scalars(select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id))
            versions = [self.get(version_id) for version_id in latest_ids]
        return sorted((d for d in versions if role in d.starter_roles), key=lambda d: d.name)

    def list_versions(self) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version))
            return [
                {"process_id": r.process_id, "version": r.version, "sha256": r.sha256, "deployed_at": r.deployed_at}
                for r in rows
            ]
