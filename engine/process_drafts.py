"""Drafts of process models being edited in the browser modeler: one per process.

A draft is saved even when it has problems (the owner is mid-edit; the problems are listed);
only a deploy requires a clean model. Each save must name the revision it was based on:
a save based on an older revision is refused (409) instead of silently overwriting a
colleague's work. The revision check is an UPDATE … WHERE revision = :seen, so two saves
racing on the same revision cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .errors import Conflict, NotFound, ValidationFailed
from .i18n import N_
from .models import ProcessDraft
from .repository import RepositoryService
from .validation import Problem, from_parts, parts_of, problems_of
from .versions import VersionService


class StaleDraft(Conflict):
    """The draft was saved by someone else since the caller read it."""

    def __init__(self, current_revision: int) -> None:
        super().__init__(N_("草稿已被他人保存（当前修订号 %(revision)s），请重新载入后再修改",
                            revision=current_revision))
        self.current_revision = current_revision


def _draft_dict(draft: ProcessDraft) -> dict[str, Any]:
    files = draft.files
    return {
        "process_id": draft.process_id,
        "revision": draft.revision,
        "bpmn": files["bpmn"],
        "forms": files["forms"],
        "decisions": files["decisions"],
        "base_version": draft.base_version,
    }


class DraftService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, repository: RepositoryService, versions: VersionService
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._repository = repository
        self._versions = versions

    def get(self, process_id: str, actor: Actor) -> dict[str, Any]:
        """The draft; on first read it is made from the newest deployed version (revision 1)."""
        with self._sessions.begin() as session:
            draft = session.get(ProcessDraft, process_id)
            if draft is None:
                newest = self._versions.files(process_id)
                if newest is None:
                    raise NotFound(N_("流程 %(process_id)s 尚未发布，也没有草稿：请先上传模型或新建草稿",
                                      process_id=process_id))
                bpmn, forms, decisions = parts_of(newest[1], process_id)
                draft = self._new(process_id, actor, {"bpmn": bpmn, "forms": forms, "decisions": decisions}, newest[0])
                session.add(draft)
            return _draft_dict(draft)

    def _new(self, process_id: str, actor: Actor, files: dict[str, Any], base: int | None) -> ProcessDraft:
        return ProcessDraft(process_id=process_id, revision=1, files=files, base_version=base,
                            updated_at=self._clock.now(), updated_by=actor.username)

    def save(
        self, process_id: str, revision: int, parts: Mapping[str, Any], actor: Actor
    ) -> tuple[int, list[Problem]]:
        """Store the parts as the next revision and list the model's problems. Revision 0
        starts a draft for a process that has none yet."""
        files = {"bpmn": parts["bpmn"], "forms": dict(parts["forms"]), "decisions": dict(parts["decisions"])}
        with self._sessions.begin() as session:
            current = session.get(ProcessDraft, process_id)
            if current is None and revision == 0:
                session.add(self._new(process_id, actor, files, None))
                new_revision = 1
            else:
                new_revision = self._advance(session, process_id, revision, files, actor, current)
        return new_revision, self.problems(process_id, files)

    def _advance(
        self, session: Session, process_id: str, revision: int, files: dict[str, Any], actor: Actor,
        current: ProcessDraft | None,
    ) -> int:
        result = session.execute(
            update(ProcessDraft)
            .where(ProcessDraft.process_id == process_id, ProcessDraft.revision == revision)
            .values(revision=revision + 1, files=files, updated_at=self._clock.now(), updated_by=actor.username)
        )
        if result.rowcount != 1:
            raise StaleDraft(current.revision if current is not None else 0)
        return revision + 1

    def problems(self, process_id: str, parts: Mapping[str, Any]) -> list[Problem]:
        return problems_of(self._repository, process_id, self._files(process_id, parts))

    def _files(self, process_id: str, parts: Mapping[str, Any]) -> dict[str, bytes]:
        newest = self._versions.files(process_id)
        return from_parts(process_id, parts["bpmn"], parts["forms"], parts["decisions"], newest[1] if newest else None)

    def deploy(self, process_id: str, revision: int, actor: Actor) -> dict[str, Any]:
        """Deploy the draft at `revision` (it must be the newest); ValidationFailed lists
        every problem and deploys nothing."""
        with self._sessions() as session:
            draft = session.get(ProcessDraft, process_id)
            if draft is None:
                raise NotFound(N_("流程 %(process_id)s 没有草稿：请先在建模器中保存草稿", process_id=process_id))
            if draft.revision != revision:
                raise StaleDraft(draft.revision)
            parts = dict(draft.files)
        files = self._files(process_id, parts)
        problems = problems_of(self._repository, process_id, files)
        if problems:
            raise ValidationFailed(problems)
        result = self._versions.deploy(process_id, files, actor)
        with self._sessions.begin() as session:
            session.execute(update(ProcessDraft).where(ProcessDraft.process_id == process_id)
                            .values(base_version=result["version"]))
        return result
