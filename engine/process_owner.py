"""The process owner's services in one place (Camunda's Repository and Management services):
drafts, versions, validation input, migration, monitoring, incidents and metrics.

`ProcessEngine.owner` holds one of these; the web layer calls it and nothing below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .incidents import IncidentService
from .metrics import exposition, registry_for
from .migration import MigrationService
from .monitoring import MonitoringService
from .process_drafts import DraftService
from .roles import ROLES
from .validation import Problem, catalogue, dmn_problems, from_parts, from_uploads, problems_of, process_id_of
from .versions import VersionService

if TYPE_CHECKING:
    from .services import ProcessEngine


class ProcessOwnerTools:
    def __init__(self, engine: ProcessEngine) -> None:
        self._engine = engine
        self.versions = VersionService(engine.sessions, engine.repository)
        self.drafts = DraftService(engine.sessions, engine.clock, engine.repository, self.versions)
        self.migration = MigrationService(engine.sessions, engine.runtime, self.versions)
        self.monitoring = MonitoringService(engine.sessions, engine.runtime)
        self.incidents = IncidentService(engine.sessions, engine.runtime)
        self._metrics = registry_for(engine.sessions, engine.clock)

    def validate_parts(self, bpmn: str, forms: Mapping[str, Any], decisions: Mapping[str, str]) -> list[Problem]:
        """Problems of a model set given as the modeler's parts (not stored anywhere)."""
        process_id = process_id_of(bpmn.encode("utf-8"))
        files = from_parts(process_id or "model", bpmn, forms, decisions)
        return problems_of(self._engine.repository, process_id, files)

    def validate_file(self, filename: str, data: bytes) -> list[Problem]:
        """Problems of one uploaded .bpmn (with the forms it names missing) or .dmn file."""
        if filename.lower().endswith(".dmn"):
            return dmn_problems(data, filename)
        process_id, files, problems = from_uploads([(filename, data)])
        return problems + problems_of(self._engine.repository, process_id, files)

    def upload(self, uploads: Iterable[tuple[str, bytes]]) -> tuple[str | None, dict[str, bytes], list[Problem]]:
        """An uploaded model set and every problem with it (the upload's and the model's)."""
        process_id, files, problems = from_uploads(uploads)
        return process_id, files, problems + problems_of(self._engine.repository, process_id, files)

    def catalogue(self) -> dict[str, Any]:
        """What models may refer to, with the messages of every process's newest version."""
        models = []
        for process_id in self.versions.process_ids():
            newest = self.versions.files(process_id)
            models.extend([newest[1][f"{process_id}.bpmn"]] if newest else [])
        return catalogue(ROLES, self._engine.runtime.operators, self._engine.runtime.functions, models)

    def metrics(self) -> bytes:
        """The Prometheus exposition of the engine's metrics."""
        return exposition(self._metrics)
