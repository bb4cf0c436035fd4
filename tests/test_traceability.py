"""docs/traceability.md maps every article of the guide to model elements; each element it
names must exist in the deployed models, and every article must appear."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "traceability.md"
ARTICLES = ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条", "第九条", "第十条",
            "第十一条", "第十二条", "第十三条", "第十四条", "第十五条", "第十六条", "第十七条", "第十八条", "第十九条"]
REFERENCE = re.compile(r"`([a-z_]+):([A-Za-z0-9_.\-]+)`")


def model_ids() -> dict[str, set[str]]:
    """Every id in each process folder's BPMN and DMN files, by process id."""
    ids: dict[str, set[str]] = {}
    for folder in (ROOT / "processes").iterdir():
        for path in [*folder.glob("*.bpmn"), *folder.glob("*.dmn")]:
            root = etree.parse(str(path)).getroot()
            ids.setdefault(folder.name, set()).update(root.xpath("//@id"))
    return ids


def rows() -> list[str]:
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| 第")]


def test_every_article_is_traced() -> None:
    traced = {row.split("|")[1].strip() for row in rows()}
    assert [a for a in ARTICLES if a not in traced] == []


def test_every_named_element_exists_in_the_models() -> None:
    ids = model_ids()
    references = REFERENCE.findall(DOC.read_text(encoding="utf-8"))
    assert len(references) > 20
    missing = [f"{process}:{element}" for process, element in references if element not in ids.get(process, set())]
    assert missing == []


def test_each_row_names_elements_or_says_why_not() -> None:
    for row in rows():
        assert REFERENCE.search(row) or "不可执行" in row, row
