"""The browser modeler in English: diagflow's entries, the toolbar and bpmn-js itself (no Chinese
table) speak English; the names in the diagram are data and stay Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_modeler import log_in_as_city_bureau, open_modeler

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# The modeler's chrome: toolbar, tabs, palette, context pad, properties panel (without the element's
# name in its header and its Name field, which are data), versions table.
CHROME_TEXTS = """() => {
  const texts = [];
  const add = (selector, read) => document.querySelectorAll(selector).forEach((el) => texts.push(read(el)));
  add(".df-toolbar button, #df-revision, #df-status, #df-tabs [role=tab], .df-versions", (el) => el.innerText);
  add(".djs-palette [aria-label], .djs-context-pad [title]", (el) => el.getAttribute("aria-label") || el.title);
  add(".bio-properties-panel-header-type, .bio-properties-panel-group-header-title", (el) => el.innerText);
  add(".bio-properties-panel-label, .bio-properties-panel-description, .df-properties button", (el) => el.innerText);
  add(".df-properties option", (el) => el.textContent);
  return texts;
}"""


def test_modeler_in_english(page: Page, live_server: str, artifacts_dir: Path) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in_as_city_bureau(page, live_server)
    page.context.add_cookies([{"name": "diagflow_lang", "value": "en", "url": live_server}])
    open_modeler(page, live_server, "diagnosis_project")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#df-revision")).to_have_text("Draft revision 1")
    expect(page.get_by_role("button", name="Deploy")).to_be_visible()
    expect(page.get_by_role("button", name="Create task")).to_be_visible()
    expect(page.locator("#df-versions tr").first).to_contain_text("Version 1")

    page.locator('#df-canvas [data-element-id="review_filing"]').click()
    panel = page.locator("#df-properties")
    expect(panel.locator(".bio-properties-panel-group-header-title", has_text="General")).to_be_visible()
    expect(panel.get_by_text("Task settings (diagflow)")).to_be_visible()
    expect(panel.get_by_label("Due time (working days)")).to_be_visible()
    expect(panel.get_by_label("Escalate overdue tasks to")).to_be_visible()
    expect(panel.get_by_role("button", name="Edit form")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "modeler-english.png"))

    chrome = page.evaluate(CHROME_TEXTS)
    assert "Task settings (diagflow)" in chrome and "Save" in chrome
    assert sorted({text for text in chrome if CHINESE.search(text)}) == []
    assert problems == [], "\n".join(problems)
