// A live preview of a task form from its JSON Schema and UI schema: the same field kinds the
// task page renders (webui/templates/_form.html), drawn with plain DOM, never submitted.
import { t } from "./translate.js";

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function orderedKeys(schema, ui) {
  const keys = Object.keys(schema.properties || {});
  const order = (ui && ui["ui:order"]) || [];
  return [...order.filter((key) => keys.includes(key)), ...keys.filter((key) => !order.includes(key))];
}

function enumLabels(schema, ui) {
  const names = (ui && ui["ui:enumNames"]) || schema.enumNames || [];
  return schema.enum.map((value, index) => [value, names[index] || String(value)]);
}

function choiceField(path, schema, ui) {
  if (ui["ui:widget"] === "radio") {
    return node(
      "div",
      { class: "df-preview-choices" },
      ...enumLabels(schema, ui).map(([value, label]) =>
        node("label", {}, node("input", { type: "radio", name: path, value }), label),
      ),
    );
  }
  return node(
    "select",
    { id: path },
    node("option", { value: "" }, t("请选择")),
    ...enumLabels(schema, ui).map(([value, label]) => node("option", { value }, label)),
  );
}

function inputFor(path, schema, ui) {
  if (schema.readOnly) {
    return node("span", { class: "df-preview-readonly" }, t("（只读，显示流程中的值）"));
  }
  if (schema["x-options"]) {
    return node("select", { id: path }, node("option", {}, t("（运行时载入：{source}）", { source: schema["x-options"] })));
  }
  if (Array.isArray(schema.enum)) {
    return choiceField(path, schema, ui);
  }
  if (schema.type === "array" && schema.items) {
    return arrayField(path, schema, ui);
  }
  if (schema.type === "object") {
    return fieldset(path, schema, ui);
  }
  if (schema.type === "boolean") {
    return node("input", { id: path, type: "checkbox" });
  }
  if (schema.type === "integer" || schema.type === "number") {
    const money = ui["ui:widget"] === "money";
    return node("input", {
      id: path,
      type: "number",
      step: money ? "0.01" : schema.type === "integer" ? "1" : "any",
      min: schema.minimum,
      max: schema.maximum,
      placeholder: ui["ui:placeholder"],
    });
  }
  if (ui["ui:widget"] === "textarea") {
    return node("textarea", { id: path, rows: 3, placeholder: ui["ui:placeholder"] });
  }
  const type = schema.format === "date" || ui["ui:widget"] === "date" ? "date" : "text";
  return node("input", { id: path, type, maxlength: schema.maxLength, placeholder: ui["ui:placeholder"] });
}

function arrayField(path, schema, ui) {
  const items = schema.items;
  if (Array.isArray(items.enum)) {
    return node(
      "div",
      { class: "df-preview-choices" },
      ...enumLabels(items, ui.items || {}).map(([value, label]) =>
        node("label", {}, node("input", { type: "checkbox", name: path, value }), label),
      ),
    );
  }
  return node(
    "div",
    { class: "df-preview-array" },
    node("p", { class: "df-preview-help" }, t("第 1 行")),
    inputFor(`${path}.0`, items, ui.items || {}),
  );
}

function field(path, key, schema, ui, required) {
  const title = schema.title || key;
  return node(
    "div",
    { class: "df-preview-field" },
    node("label", { for: path }, title, required ? node("span", { class: "df-required" }, " *") : null),
    inputFor(path, schema, ui),
    ui["ui:help"] || schema.description ? node("p", { class: "df-preview-help" }, ui["ui:help"] || schema.description) : null,
  );
}

function fieldset(path, schema, ui) {
  const required = new Set(schema.required || []);
  return node(
    "div",
    { class: "df-preview-fields" },
    ...orderedKeys(schema, ui).map((key) =>
      field(`${path}.${key}`, key, schema.properties[key], ui[key] || {}, required.has(key)),
    ),
  );
}

/** The preview of a whole form; problems with the schema's shape are shown, not thrown. */
export function renderPreview(schema, uiSchema) {
  if (!schema || typeof schema !== "object" || schema.type !== "object") {
    return node("p", { class: "df-preview-problem" }, t("表单的顶层应为 \"type\": \"object\"。"));
  }
  return node(
    "form",
    { class: "df-preview-form", "aria-label": t("表单预览") },
    node("h3", {}, schema.title || t("（无标题）")),
    schema.description ? node("p", { class: "df-preview-help" }, schema.description) : null,
    fieldset("preview", schema, uiSchema || {}),
  );
}
