"""The script engine every workflow runs with: the sandbox plus the operator registry."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.task import Task
from sqlalchemy.exc import SQLAlchemyError

from .errors import EngineError
from .sandbox import SandboxEnvironment

ServiceCaller = Callable[[Task, str, dict[str, Any]], dict[str, Any]]


class DiagflowScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine with every expression sandboxed and service tasks dispatched
    to diagflow's operators (the library's own `call_service` hides the real error)."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]], service_caller: ServiceCaller | None) -> None:
        super().__init__(environment=SandboxEnvironment(functions))
        self._service_caller = service_caller

    def call_service(self, task: Task, operation_name: str, operation_params: dict[str, Any], **_: Any) -> str:
        if self._service_caller is None:
            raise WorkflowTaskException("service tasks cannot run here", task=task)
        params = {name: spec["value"] for name, spec in operation_params.items()}
        try:
            result = self._service_caller(task, operation_name, params)
        except (WorkflowTaskException, SQLAlchemyError, EngineError):
            raise  # the database or the engine refused: the whole transaction is abandoned
        except Exception as exc:  # a handler's failure becomes an incident on this element
            raise WorkflowTaskException(f"operator {operation_name!r} failed: {exc}", task=task, exception=exc) from exc
        return json.dumps(result)
