// The list of validation errors under the toolbar; an error naming an element selects it,
// scrolls it into view and marks it on the canvas (marker class + badge overlay).
import { t } from "./translate.js";

const MARKER = "df-error";
// Scrolled-to elements land right of the palette (about 150 px wide) with room for the badge.
const VISIBLE_PADDING = { top: 100, right: 100, bottom: 100, left: 180 };

export class ProblemList {
  constructor(container, modeler, onOther) {
    this.container = container;
    this.modeler = modeler;
    this.onOther = onOther;
    this.marked = [];
  }

  clearMarks() {
    const canvas = this.modeler.get("canvas");
    const overlays = this.modeler.get("overlays");
    for (const id of this.marked) {
      canvas.removeMarker(id, MARKER);
    }
    overlays.remove({ type: MARKER });
    this.marked = [];
  }

  show(title, errors) {
    this.clearMarks();
    this.container.replaceChildren();
    this.container.hidden = errors.length === 0;
    if (!errors.length) {
      return;
    }
    const heading = document.createElement("h2");
    heading.textContent = t("{title}（{count} 项）", { title, count: errors.length });
    const list = document.createElement("ul");
    for (const error of errors) {
      list.append(this.item(error));
    }
    this.container.append(heading, list);
    for (const error of errors) {
      this.mark(error.element_id);
    }
  }

  item(error) {
    const item = document.createElement("li");
    const label = error.element_id ? t("{id}：{message}", { id: error.element_id, message: error.message }) : error.message;
    if (error.element_id) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "df-problem";
      button.textContent = label;
      button.addEventListener("click", () => this.focus(error.element_id));
      item.append(button);
    } else {
      item.textContent = label;
    }
    return item;
  }

  element(id) {
    return this.modeler.get("elementRegistry").get(id);
  }

  mark(id) {
    const element = id && this.element(id);
    if (!element || this.marked.includes(id)) {
      return;
    }
    this.modeler.get("canvas").addMarker(id, MARKER);
    const badge = document.createElement("span");
    badge.className = "df-error-badge";
    badge.textContent = "!";
    badge.title = t("此处有错误");
    this.modeler.get("overlays").add(id, MARKER, { position: { top: -10, left: 20 }, scale: false, html: badge });
    this.marked.push(id);
  }

  focus(id) {
    const element = this.element(id);
    if (!element) {
      this.onOther(id);
      return;
    }
    this.modeler.get("canvas").scrollToElement(element, VISIBLE_PADDING);
    this.modeler.get("selection").select(element);
    this.mark(id);
  }
}
