// Accessible tabs (role=tablist): the diagram, one per decision table, the forms. Panels for
// decision tables are created with their tab.
import { t } from "./translate.js";

export class Tabs {
  constructor(list, root, onSelect) {
    this.list = list;
    this.root = root;
    this.onSelect = onSelect;
    this.panels = new Map();
    for (const button of list.querySelectorAll('[role="tab"]')) {
      this.register(button.dataset.tab, button, document.getElementById(button.getAttribute("aria-controls")));
    }
  }

  register(name, button, panel) {
    this.panels.set(name, { button, panel });
    button.addEventListener("click", () => this.select(name));
  }

  add(name, label) {
    const button = document.createElement("button");
    const panel = document.createElement("div");
    const id = `df-panel-${this.panels.size}`;
    button.type = "button";
    button.setAttribute("role", "tab");
    button.setAttribute("aria-selected", "false");
    button.setAttribute("aria-controls", id);
    button.dataset.tab = name;
    button.textContent = label;
    panel.id = id;
    panel.className = "df-tab-panel df-decision-panel";
    panel.setAttribute("role", "tabpanel");
    panel.hidden = true;
    this.list.append(button);
    this.root.querySelector(".df-tab-panels").append(panel);
    this.register(name, button, panel);
  }

  has(name) {
    return this.panels.has(name);
  }

  panel(name) {
    return this.panels.get(name).panel;
  }

  select(name) {
    for (const [other, { button, panel }] of this.panels) {
      const selected = other === name;
      button.setAttribute("aria-selected", String(selected));
      panel.hidden = !selected;
    }
    this.onSelect(name).catch((error) => {
      this.panel(name).textContent = t("无法显示：{message}", { message: error.message });
    });
  }
}
