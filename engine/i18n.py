"""A no-op marker for texts the web layer translates where it shows them.

The engine does not import Flask: `N_("企业")` returns its argument unchanged and only tells
`pybabel extract` (keyword `N_`, see babel.cfg) that the text belongs in the catalogue.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return text
