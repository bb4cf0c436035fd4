"""Every Chinese text in the Python code is translatable, or is data and says why.

A text shown to people is written through a translation call: `N_` in the engine and the
handlers (engine/i18n.py; the pages say it again in English), `_`/`gettext` in the web layer.
What stays Chinese on purpose is listed in `KEPT` with the reason: names that are data (the
districts, the holidays), the demo's and the simulation's made-up records, documents in the form
the guide prescribes (the exports, the evaluation report), and patterns that read Chinese input.
The check walks the syntax tree, so a Chinese f-string or a plain literal anywhere else fails it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("engine", "handlers", "webui")
CJK = re.compile(r"[\u3400-\u9fff]")
CALLS = {"N_", "_", "gettext", "ngettext", "lazy_gettext"}

# "path:scope" → why its Chinese is not translated. The scope is the enclosing function or class
# (dotted), or at module level the name assigned; "path:*" keeps the whole file.
KEPT = {
    "engine/demo.py:*": "the demo's made-up organisations, people and projects are data",
    "engine/calendar_seed.py:*": "the State Council's holiday names are data, stored with the calendar",
    "engine/roles.py:DISTRICTS": "district names are data: stored in records, filtered on, shown as entered",
    **{f"engine/exports.py:{scope}": "the exports: documents in the form the guide prescribes (第十一条, 第十四条)"
       for scope in ("FILING_HEADERS", "SUMMARY_HEADERS", "PLAN_HEADERS", "ANNOUNCEMENT_HEADERS", "AUDIT_HEADERS",
                     "ExportService.filing_summary", "ExportService.plan_workbook",
                     "ExportService.announcement_workbook", "ExportService._stamp", "total_row", "_summary_line")},
    **{f"webui/exports.py:{scope}": "file names of those documents"
       for scope in ("filings_xlsx", "plan_xlsx", "announcement_xlsx", "audit_csv")},
    "webui/simulation.py:*": "the simulation's made-up records and its timeline printed by the CLI",
    "engine/forms.py:MESSAGES": "the form messages' own table, Chinese beside English (render_form's lang)",
    "webui/forms.py:MESSAGES": "the form conversion messages' own table, Chinese beside English (parse_form's lang)",
    "webui/process_text.py:FACT_WORDS": "the Chinese words of the facts panel, beside their English",
    "webui/process_text.py:_FACT_MONEY": "a pattern that reads Chinese amounts in the facts panel",
    "webui/process_text.py:_FACT_DATE": "a pattern that reads Chinese dates in the facts panel",
    "webui/i18n.py:LANGUAGE_NAMES": "the language's own name on the switch",
    "engine/i18n.py:chinese_date": "how the Chinese pages write a date",
    "webui/i18n.py:format_day": "how the Chinese pages write a date",
    "webui/calendar_view.py:text_year": "the calendar as plain Chinese text, printed by `diagflow calendar`",
    "webui/public.py:_store_scan": "the stored file name of an objection's scan (data)",
    "engine/facts.py:format_value": "the facts panel's words, said in English by webui/process_text.py",
    "engine/mail.py:queue_mail": "the e-mail body is Chinese: mail recipients have no language setting",
    "engine/form_filler.py:_string": "made-up form values the simulation writes into process data",
    "engine/filetypes.py:sanitise_filename": "default file name given to a stored upload (data)",
    "engine/records/guidelines.py:ORIGINAL": "the guideline's document number and title, registered as a record",
    "engine/records/plans.py:LEGAL_BASIS": "the legal basis written into each announcement record",
    "engine/records/plans.py:OBJECTOR_LABELS": "objector kind written into the objection task's process data",
    "handlers/subsidies.py:CONDITIONS": "第十五条's conditions as worded, stored in each application's eligibility",
    "handlers/subsidies.py:RESULT_LABELS": "result words written into the city re-review form's data",
    "handlers/subsidies.py:SATISFACTION_LABELS": "rating words inside the eligibility findings (a record)",
    "handlers/subsidies.py:Project.label": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_listed": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_filed": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_in_jinan": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_within_window": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_satisfied": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_rectified": "eligibility findings stored with the application (a record)",
    "handlers/subsidies.py:_self_assessed": "eligibility findings stored with the application (a record)",
    "handlers/plans.py:SCALING_RULES": "the scaling rule's name inside the plan's rule text (process data)",
    "handlers/plans.py:_rule_text": "how the plan's amounts were found, in the plan's process data",
    "handlers/plans.py:ANNOUNCEMENT_TITLE": "the announcement's default title, stored and published",
    "handlers/plans.py:_item_text": "the objected item's description, in the objection's case data",
    "handlers/ratings.py:_explain": "each provider's score explanation, stored in the rating's details",
    "handlers/ratings.py:display_row": "the rating table written into the process data (rating_table)",
    "handlers/evaluation.py:NOT_AVAILABLE": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:PROJECT_STAGES": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:money_text": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:stage": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:project_figures": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:quality_figures": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:application_figures": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:money_figures": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:stage_figures": "the evaluation report, stored with the instance (第三条)",
    "handlers/evaluation.py:compute_figures": "the evaluation report, stored with the instance (第三条)",
}


def _scopes(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node's scope: enclosing defs and classes, or the module-level name assigned."""
    scope_of: dict[ast.AST, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{scope}.{child.name}" if scope else child.name
            elif not scope and isinstance(child, ast.Assign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                inner = ",".join(t.id for t in targets if isinstance(t, ast.Name))
            scope_of[child] = inner
            visit(child, inner)

    visit(tree, "")
    return scope_of


def _translated(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in CALLS:
                return True
    return False


def untranslated(path: Path, source: str) -> list[str]:
    """`path:line scope: text` for every Chinese literal outside a translation call and `KEPT`."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    scope_of = _scopes(tree)
    relative = path.relative_to(ROOT).as_posix() if path.is_absolute() else str(path)
    if f"{relative}:*" in KEPT:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if isinstance(parents.get(node), ast.JoinedStr | ast.Expr):  # part of an f-string; a docstring
                continue
            text = node.value
        else:
            continue
        scope = scope_of.get(node, "")
        kept = any(f"{relative}:{scope}" == key or f"{relative}:{scope}".startswith(key.rstrip("*") + ".")
                   for key in KEPT)
        if CJK.search(text) and not kept and not _translated(node, parents):
            found.append((node.lineno, f"{relative}:{node.lineno} {scope}: {text[:60]}"))
    return [line for _, line in sorted(found)]


def test_every_chinese_text_in_the_code_is_translatable_or_kept_with_a_reason() -> None:
    found = [line for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))
             for line in untranslated(path, path.read_text("utf-8"))]
    assert found == []


def test_kept_entries_name_code_that_exists() -> None:
    for key in KEPT:
        path, scope = key.split(":")
        source = (ROOT / path).read_text("utf-8")
        name = scope.rsplit(".", 1)[-1]
        assert scope == "*" or re.search(rf"^\s*(def |class )?{re.escape(name)}\b", source, re.M), key


def test_the_check_finds_chinese_outside_translation_calls() -> None:
    source = '''
"""文档说明。"""
OK = N_("流程实例 %(id)s 不存在", id=1)
def refuse(name):
    flash(gettext("已保存"))
    raise Conflict(f"任务「{name}」不可办理")
LABELS = {"a": "已受理"}
'''
    found = untranslated(Path("engine/x.py"), source)
    assert found == ["engine/x.py:6 refuse: 任务「」不可办理", "engine/x.py:7 LABELS: 已受理"]
