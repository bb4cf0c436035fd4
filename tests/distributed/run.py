"""`python -m tests.distributed.run ARGS…`: the real `diagflow` command with the test operators."""

from __future__ import annotations

from handlers import OPERATORS
from tests.distributed.plugins import TEST_OPERATORS
from webui.cli import main

if __name__ == "__main__":
    OPERATORS.update(TEST_OPERATORS)
    main()
