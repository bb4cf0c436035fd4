"""A catalogue of sandbox escapes and resource attacks: every one is refused, naming the element.

Each entry is model code a hostile or careless modeller could put in a script task, with a
fragment of the error it must produce. They run through SpiffWorkflow with diagflow's script
engine, as a model that skipped deployment's checks would (`run_unvalidated`), so the error
is the incident an operator would see: the element id plus the reason.

The huge allocations are refused by the size guards before anything is allocated
(engine/sandbox_limits.py); a guard that failed would try to allocate gigabytes, so each of
them is also run in a child process under a 2 GB address-space limit
(`test_allocations_are_refused_before_memory_is_used`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine import sandbox
from tests.engine.test_sandbox import run_unvalidated

UNDERSCORE = "starts with \"_\""
RESTRICTED = "is a restricted name"

ESCAPES: dict[str, tuple[str, str]] = {
    # subclass walks and other dunder access
    "subclass walk from a tuple": ("x = ().__class__.__base__.__subclasses__()", UNDERSCORE),
    "subclass walk through the mro": ("x = [].__class__.__mro__[1].__subclasses__()", UNDERSCORE),
    "bases of a string": ("x = ''.__class__.__bases__", UNDERSCORE),
    "function globals": ("x = sorted.__self__", UNDERSCORE),
    "builtins by name": ("x = __builtins__", UNDERSCORE),
    "dunder in a subscript key": ("x = {}\ny = x.__getitem__", UNDERSCORE),
    # format strings reaching attributes
    "str.format attribute walk": ("x = '{0.__class__}'.format(1)", "format*() methods of `str` is not safe"),
    "str.format through the type": ("x = str.format('{0.__class__}', 1)", "format*() methods of `str` is not safe"),
    "format_map attribute walk": ("x = '{x.__class__}'.format_map({'x': 1})", "format*() methods of `str` is not safe"),
    "f-string attribute walk": ("x = f'{().__class__.__base__}'", UNDERSCORE),
    "f-string in a format spec": ("x = f'{1:{().__class__}}'", UNDERSCORE),
    # generators, coroutines, frames and tracebacks
    "generator frame": ("g = (i for i in [1])\nx = g.gi_frame", RESTRICTED),
    "generator code": ("g = (i for i in [1])\nx = g.gi_code", RESTRICTED),
    "frame globals": ("g = (i for i in [1])\nx = g.gi_frame.f_globals", RESTRICTED),
    "frame back": ("def f(frame):\n    return frame.f_back\nx = 1", RESTRICTED),
    "traceback frame": ("try:\n    1 / 0\nexcept Exception as error:\n    x = error.__traceback__.tb_frame", UNDERSCORE),
    "traceback frame by name": ("def f(tb):\n    return tb.tb_frame\nx = 1", RESTRICTED),
    "coroutine frame": ("def f(c):\n    return c.cr_frame\nx = 1", RESTRICTED),
    "async function": ("async def f():\n    return 1\nx = 1", "AsyncFunctionDef statements are not allowed"),
    # builtins that reach outside
    "__import__": ("x = __import__('os').system('id')", UNDERSCORE),
    "import statement": ("import os\nx = os.getcwd()", "__import__ not found"),
    "open": ("x = open('/etc/passwd').read()", "name 'open' is not defined"),
    "getattr with a dunder": ("x = getattr(1, '__class__')", "name 'getattr' is not defined"),
    "setattr": ("x = setattr", "name 'setattr' is not defined"),
    "vars": ("x = vars()", "name 'vars' is not defined"),
    "globals": ("x = globals()", "name 'globals' is not defined"),
    "locals": ("x = locals()", "name 'locals' is not defined"),
    "dir": ("x = dir()", "name 'dir' is not defined"),
    "eval": ("x = eval('1')", "Eval calls are not allowed"),
    "exec": ("exec('x = 1')", "Exec calls are not allowed"),
    "compile": ("x = compile('1', 'f', 'eval')", "name 'compile' is not defined"),
    "type of a value": ("x = type(1)", "name 'type' is not defined"),
    "type() building a class": ("x = type('X', (), {})", "name 'type' is not defined"),
    "class statement": ("class X:\n    pass", "__build_class__ not found"),
    "object": ("x = object", "name 'object' is not defined"),
    "super": ("x = super()", "name 'super' is not defined"),
    "breakpoint": ("x = breakpoint()", "\"breakpoint\" is a reserved name"),
    "modifying a function": ("sorted.x = 1", "modifying a builtin_function_or_method is not allowed"),
    # runaway code
    "endless loop": ("n = 0\nwhile True:\n    n += 1", "ran longer than 0.2 s"),
    "endless recursion": ("def f():\n    return f()\nx = f()", "maximum recursion depth"),
}
ALLOCATIONS: dict[str, str] = {
    "string repetition": "x = 'x' * 10**10",
    "repetition, number first": "x = 10**10 * 'x'",
    "bytes repetition": "x = b'x' * 10**10",
    "list repetition": "x = [0] * 10**10",
    "tuple repetition": "x = (0,) * 10**10",
    "in-place repetition": "x = [0]\nx *= 10**10",
    "tower of powers": "x = 10**10**10",
    "pow()": "x = pow(10, 10**10)",
    "in-place power": "x = 10\nx **= 10**10",
    "left shift": "x = 1 << 10**10",
    "list of a huge range": "x = list(range(10**10))",
    "doubling a string": "x = 'a'\nfor i in range(100):\n    x = x + x",
    "padding with ljust": "x = 'x'.ljust(10**10)",
    "padding with center": "x = 'x'.center(10**10)",
    "padding with zfill": "x = '1'.zfill(10**10)",
    "expanding tabs": "x = ('\\t' * 10**6).expandtabs(100)",
    "replace growing text": "s = 'a' * 10**6\nx = s.replace('a', 'x' * 100)",
    "join of large parts": "x = ','.join(['x' * 10**6] * 20)",
    "f-string width": "x = f'{1:>10000000000}'",
    "f-string width from a variable": "n = 10**10\nx = f'{1:{n}}'",
    "%-format width": "x = '%10000000000s' % 'x'",
}


def refusal(script: str) -> WorkflowTaskException:
    with pytest.raises(WorkflowTaskException) as refused:
        run_unvalidated(script)
    return refused.value


def message(error: WorkflowTaskException) -> str:
    """The incident message as the runtime stores it (str() of the exception can trip on a None note)."""
    return str(error.args[0])


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_escape_is_refused_naming_the_element(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", 0.2)
    script, reason = ESCAPES[name]
    error = refusal(script)
    assert error.task_spec.bpmn_id == "calculate"
    assert reason in message(error), message(error)


@pytest.mark.parametrize("name", sorted(ALLOCATIONS))
def test_huge_allocation_is_refused_naming_the_element(name: str) -> None:
    error = refusal(ALLOCATIONS[name])
    assert error.task_spec.bpmn_id == "calculate"
    assert error.error_type == "TooLarge", message(error)
    assert "memory limit" in message(error) or "bits; the sandbox allows" in message(error)


def test_allocations_are_refused_before_memory_is_used() -> None:
    """Every allocation attack in a child limited to 2 GB of address space: a MemoryError there
    would mean a guard let Python try the allocation."""
    probe = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        from engine.sandbox import SandboxEnvironment
        from engine.sandbox_limits import TooLarge
        for script in {list(ALLOCATIONS.values())!r}:
            try:
                SandboxEnvironment().execute(script, {{}})
            except TooLarge:
                continue
            sys.exit("not refused by a guard: " + script)
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_loop_that_keeps_allocating_is_stopped_by_the_memory_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_MEMORY_GROWTH", 64 * 2**20)
    error = refusal("x = []\nwhile True:\n    x.append('y' * 1000000)")
    assert error.task_spec.bpmn_id == "calculate"
    assert "above the sandbox limit; stopped" in message(error)


def test_ordinary_arithmetic_and_text_still_work() -> None:
    workflow = run_unvalidated(
        "a = 2 ** 10\nb = 'ab' * 3\nc = [0] * 5\nd = f'{3.14159:.2f}|{7:>4}'\ne = '%05d' % 42\n"
        "f = ', '.join(['甲', '乙'])\ng = 'x'.ljust(3, '-')\nh = pow(3, 4, 5)\ni = len(range(10))\nj = 1 << 4\n"
        "k = '电话 13912345678，%s' % '王'"
    )
    assert workflow.last_task.data == {"a": 1024, "b": "ababab", "c": [0, 0, 0, 0, 0], "d": "3.14|   7",
                                       "e": "00042", "f": "甲, 乙", "g": "x--", "h": 1, "i": 10, "j": 16,
                                       "k": "电话 13912345678，王"}

