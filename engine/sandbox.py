"""The only place model code runs: scripts, conditions, timer expressions and DMN cells are
compiled with RestrictedPython and see whitelisted names only.

SpiffWorkflow's default environment evals with all builtins (`__import__('os')` runs), and
RestrictedPython's `safe_globals` alone is escapable through subclass walks; the guards
below (no underscore names, `safer_getattr`, guarded item and write access) close both.
"""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .i18n import N_, Text
from .sandbox_limits import (
    MAX_MEMORY_GROWTH,
    SizeGuardingPolicy,
    TooLarge,
    binop,
    check_binop,
    formatted,
    guarded_method,
    limited_pow,
    limited_range,
    resident_bytes,
)

_UNSAFE_BUILTINS = {"__build_class__", "setattr", "delattr", "_getattr_", "id", "hash"}
_EXTRA_BUILTINS: dict[str, Any] = {
    "dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset,
    "min": min, "max": max, "sum": sum, "sorted": sorted, "any": any, "all": all,
    "enumerate": enumerate, "zip": zip, "reversed": reversed, "map": map, "filter": filter,
    "range": limited_range, "pow": limited_pow,
}
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
}
RESERVED_KEYS = frozenset({"__builtins__", "typename"})


class SandboxError(Exception):
    """Model code was refused (unsafe or invalid) or failed; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _builtins() -> dict[str, Any]:
    names = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
    names.update(_EXTRA_BUILTINS)
    return names


def _write_guard(obj: Any) -> Any:
    """Scripts may change task data (dicts and lists) but no other object."""
    if type(obj) in (dict, list):
        return obj
    raise SandboxError(f"modifying a {type(obj).__name__} is not allowed")


def _inplace(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise SandboxError(f"operator {op} is not allowed")
    check_binop(op[:-1], target, value)
    return _INPLACE[op](target, value)


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's safer_getattr, with size checks on the string methods that grow text."""
    return guarded_method(obj, name, safer_getattr(obj, name, default))


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_GUARDS: dict[str, Any] = {
    "__builtins__": _builtins(),
    "_getattr_": _getattr,
    "_binop_": binop,
    "_formatted_": formatted,
    "_getitem_": lambda obj, key: obj[key],
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write_guard,
    "_inplacevar_": _inplace,
    "_apply_": _apply,
}


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile an expression once; raise SandboxError listing every refusal."""
    result = compile_restricted_eval(source.strip(), "<expression>", policy=SizeGuardingPolicy)
    if result.errors or result.code is None:
        raise SandboxError(_explain(result.errors))
    return result.code


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script once; raise SandboxError listing every refusal."""
    result = compile_restricted_exec(source, "<script>", policy=SizeGuardingPolicy)
    if result.errors or result.code is None:
        raise SandboxError(_explain(result.errors))
    return result.code


def _explain(errors: tuple[str, ...] | list[str]) -> Text:
    detail = "; ".join(errors) if errors else N_("无法编译")
    return N_("被安全沙箱拒绝（%(detail)s）：只能使用允许的 Python 语法和函数，请修改这段代码", detail=detail)


TIME_LIMIT_SECONDS = 2.0
MEMORY_CHECK_EVENTS = 256


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop model code that runs longer than `seconds` (an endless loop in a script).

    A trace function checks the clock on every line and call of the code run inside the
    block; this works in any thread, where signal-based alarms would not. Every
    MEMORY_CHECK_EVENTS events it also checks that resident memory has not grown by more
    than MAX_MEMORY_GROWTH (see sandbox_limits).
    """
    deadline = time.monotonic() + seconds
    baseline, events = resident_bytes(), 0

    def check(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal events
        if time.monotonic() > deadline:
            raise SandboxError(f"model code ran longer than {seconds:g} s and was stopped")
        events += 1
        if baseline is not None and events % MEMORY_CHECK_EVENTS == 0:
            grown = (resident_bytes() or baseline) - baseline
            if grown > MAX_MEMORY_GROWTH:
                raise TooLarge(f"model code grew memory by {grown // 2**20} MB, above the sandbox limit; stopped")
        return check

    previous = sys.gettrace()
    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs everything through RestrictedPython.

    `functions` are the whitelisted callables (calendar functions and the like) that models
    may use; `call_service` hands service tasks to the registered handlers.
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        service_caller: Callable[..., str] | None = None,
    ) -> None:
        super().__init__(dict(functions or {}))
        self._service_caller = service_caller

    def _globals(self, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> dict[str, Any]:
        clash = (set(self.globals) | set(_GUARDS)) & set(context)
        if clash:
            raise SandboxError(f"task data overwrites a reserved name: {sorted(clash)}")
        names = dict(context)
        names.update(external or {})
        names.update(self.globals)
        names.update(_GUARDS)
        return names

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict | None = None) -> Any:
        code = compile_expression(expression)
        names = self._globals(context, external_context)
        with time_limit(TIME_LIMIT_SECONDS):
            return eval(code, names)  # noqa: S307 - restricted code

    def execute(self, script: str, context: dict[str, Any], external_context: dict | None = None) -> bool:
        code = compile_script(script)
        names = self._globals(context, external_context)
        with time_limit(TIME_LIMIT_SECONDS):
            exec(code, names)  # noqa: S102 - restricted code
        hidden = set(self.globals) | set(_GUARDS) | set(external_context or {})
        for key in list(context):
            if key not in names:
                del context[key]
        for key, value in names.items():
            if key not in hidden and not key.startswith("_") and not callable(value):
                context[key] = value
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        if self._service_caller is None:
            raise SandboxError("service tasks are not available here")
        return self._service_caller(context, **kwargs)
