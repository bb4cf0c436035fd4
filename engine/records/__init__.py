"""Business records: what people search, list and export, written by handlers in the
engine's transaction. Process data holds only references to these rows.

One module per business area; importing this package registers every table.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
