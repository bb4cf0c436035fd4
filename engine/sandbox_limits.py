"""Memory limits for model code: the sandbox refuses a huge allocation before it is made.

Two layers, both in-process (so they hold in any thread of the web server or a worker):

1. Size guards. The operations that multiply size in one C call (`'x' * 10**10`,
   `[0] * 10**10`, `10**10**10`, `1 << 10**10`, `s + s` on huge strings, `'%99999999s' % x`,
   format widths in f-strings, `str.ljust`/`center`/`zfill`/`expandtabs`/`replace`/`join`,
   `range` and `pow`) are checked against MAX_SIZE items or characters and MAX_INT_BITS
   before Python allocates anything. The code policy below rewrites `*`, `**`, `<<`, `+`,
   `%` and formatted values into calls of these guards at compile time.
2. A resident-memory check. The sandbox's time-limit trace function reads the process's
   resident memory every few hundred trace events; growth beyond MAX_MEMORY_GROWTH while
   model code runs stops it (a Python-level loop that appends without end).

C-level work that neither guard sees (sorting a list already within the limits, say) is
bounded only by the deployment's own memory limit; see docs/architecture.md.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer

MAX_SIZE = 1_000_000  # items of a list or tuple, characters of a string
MAX_INT_BITS = 1_000_000  # about 300,000 decimal digits
MAX_MEMORY_GROWTH = 512 * 1024 * 1024  # bytes of resident memory model code may add
_STATM = "/proc/self/statm"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%",
}
_WIDTH = re.compile(r"(\d+)")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*)(?:\.(\d*))?")


class TooLarge(Exception):
    """Model code asked for more memory than the sandbox allows; the message says which operation."""


def _refuse(what: str) -> TooLarge:
    return TooLarge(f"{what} would exceed the sandbox's memory limit ({MAX_SIZE:,} items or characters)")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse `left op right` when its result would be larger than the limits allow."""
    if op == "*":
        for sequence, count in ((left, right), (right, left)):
            size = _size(sequence)
            if size is not None and isinstance(count, int) and size * count > MAX_SIZE:
                raise _refuse(f"repeating a {type(sequence).__name__} {count:,} times")
    elif op == "+":
        sizes = (_size(left), _size(right))
        if None not in sizes and sum(sizes) > MAX_SIZE:
            raise _refuse(f"joining two {type(left).__name__}s")
    elif op in ("**", "<<"):
        _check_int_growth(op, left, right)
    elif op == "%" and isinstance(left, str | bytes):
        text = left if isinstance(left, str) else left.decode("latin-1")
        for width, precision in _PERCENT_SPEC.findall(text):
            check_format_spec(f"{width} {precision}")


def _check_int_growth(op: str, left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int)) or right <= 0 or (op == "**" and abs(left) <= 1):
        return
    bits = right * abs(left).bit_length() if op == "**" else abs(left).bit_length() + right
    if bits > MAX_INT_BITS:
        raise TooLarge(f"{left} {op} {right} has about {bits:,} bits; the sandbox allows {MAX_INT_BITS:,}")


def binop(op: str, left: Any, right: Any) -> Any:
    """The guarded binary operator the code policy puts in place of `*`, `**`, `<<`, `+`, `%`."""
    check_binop(op, left, right)
    return _OPERATORS[op](left, right)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "*": lambda a, b: a * b, "**": lambda a, b: a**b, "<<": lambda a, b: a << b,
    "+": lambda a, b: a + b, "%": lambda a, b: a % b,
}


def check_format_spec(spec: str) -> None:
    """Refuse widths and precisions above MAX_SIZE in a format spec or a %-format string."""
    for digits in _WIDTH.findall(spec):
        if len(digits) > 8 or int(digits) > MAX_SIZE:
            raise _refuse(f"a format width of {digits}")


def formatted(value: Any, conversion: int, spec: str) -> str:
    """An f-string's `{value!conversion:spec}` with the spec's width checked first."""
    check_format_spec(spec)
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return format(value, spec)


def _padding(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SIZE:
            raise _refuse(f"padding to {width:,} characters")
        return method(width, *args)

    return guarded


def _replace(text: str | bytes) -> Callable[..., Any]:
    def guarded(old: Any, new: Any, count: int = -1) -> Any:
        found = text.count(old) if count < 0 else min(count, text.count(old))
        if len(text) + found * (len(new) - len(old)) > MAX_SIZE:
            raise _refuse("replacing text")
        return text.replace(old, new, count)

    return guarded


def _expandtabs(text: str | bytes) -> Callable[..., Any]:
    def guarded(tabsize: int = 8) -> Any:
        if text.count("\t" if isinstance(text, str) else b"\t") * max(tabsize, 0) + len(text) > MAX_SIZE:
            raise _refuse("expanding tabs")
        return text.expandtabs(tabsize)

    return guarded


def _join(separator: str | bytes) -> Callable[[Iterable[Any]], Any]:
    def guarded(items: Iterable[Any]) -> Any:
        items = list(items)
        total = sum(len(item) for item in items if isinstance(item, str | bytes))
        if total + len(separator) * max(len(items) - 1, 0) > MAX_SIZE:
            raise _refuse("joining strings")
        return separator.join(items)

    return guarded


def guarded_method(obj: Any, name: str, method: Any) -> Any:
    """The string method `name` of `obj`, wrapped in a size check when it can grow its input."""
    if not isinstance(obj, str | bytes):
        return method
    if name in ("ljust", "rjust", "center", "zfill"):
        return _padding(method)
    if name == "replace":
        return _replace(obj)
    if name == "expandtabs":
        return _expandtabs(obj)
    if name == "join":
        return _join(obj)
    return method


def limited_range(*args: int) -> range:
    """`range`, refused above MAX_SIZE numbers (list(range(10**10)) is one C call)."""
    result = range(*args)
    if len(result) > MAX_SIZE:
        raise _refuse(f"a range of {len(result):,} numbers")
    return result


def limited_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """`pow`, with the same limit as `**` unless a modulus keeps the result small."""
    if modulus is None:
        return binop("**", base, exponent)
    return pow(base, exponent, modulus)


def resident_bytes() -> int | None:
    """The process's resident memory (Linux /proc), or None where it cannot be read."""
    try:
        with open(_STATM, "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


class SizeGuardingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: size-changing operators and f-string formats go through guards."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        call = ast.Call(func=ast.Name("_formatted_", ast.Load()),
                        args=[node.value, ast.Constant(node.conversion), node.format_spec], keywords=[])
        value = ast.FormattedValue(value=ast.copy_location(call, node), conversion=-1, format_spec=None)
        return ast.fix_missing_locations(ast.copy_location(value, node))
