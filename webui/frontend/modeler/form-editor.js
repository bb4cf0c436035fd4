// The form tab: one JSON file of the draft at a time in a text editor, parsed as you type,
// with the live preview beside it. Files that do not parse are listed so saving can refuse.
import { renderPreview } from "./schema-preview.js";
import { SCHEMA_SUFFIX } from "./task-entries.js";
import { t } from "./translate.js";

const UI_SCHEMA_SUFFIX = ".uischema.json";

export class FormEditor {
  constructor(root, forms) {
    this.root = root;
    this.forms = forms;
    this.invalid = new Map();
    this.current = null;
    this.select = root.querySelector("#df-form-file");
    this.text = root.querySelector("#df-form-text");
    this.status = root.querySelector("#df-form-status");
    this.preview = root.querySelector("#df-form-preview");
    this.select.addEventListener("change", () => this.open(this.select.value));
    this.text.addEventListener("input", () => this.parse());
    this.preview.addEventListener("submit", (event) => event.preventDefault());
    this.refreshList();
    const first = Object.keys(forms).sort()[0];
    if (first) {
      this.open(first);
    }
  }

  refreshList() {
    const names = Object.keys(this.forms).sort();
    this.select.replaceChildren(
      ...names.map((name) => {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = this.invalid.has(name) ? t("{name}（JSON 有误）", { name }) : name;
        return option;
      }),
    );
    if (this.current) {
      this.select.value = this.current;
    }
  }

  open(filename) {
    this.current = filename;
    this.select.value = filename;
    this.text.value = this.invalid.has(filename)
      ? this.invalid.get(filename).text
      : JSON.stringify(this.forms[filename], null, 2);
    this.parse();
  }

  create(baseName, title) {
    let filename = `${baseName}${SCHEMA_SUFFIX}`;
    for (let n = 2; filename in this.forms; n += 1) {
      filename = `${baseName}_${n}${SCHEMA_SUFFIX}`;
    }
    this.forms[filename] = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title,
      type: "object",
      additionalProperties: false,
      required: [],
      properties: {},
    };
    this.refreshList();
    return filename;
  }

  uiSchemaOf(filename) {
    if (!filename.endsWith(SCHEMA_SUFFIX)) {
      return {};
    }
    const ui = this.forms[filename.slice(0, -SCHEMA_SUFFIX.length) + UI_SCHEMA_SUFFIX];
    return ui && typeof ui === "object" ? ui : {};
  }

  schemaFor(filename) {
    if (!filename.endsWith(UI_SCHEMA_SUFFIX)) {
      return this.forms[filename];
    }
    return this.forms[filename.slice(0, -UI_SCHEMA_SUFFIX.length) + SCHEMA_SUFFIX];
  }

  parse() {
    const filename = this.current;
    let parsed;
    try {
      parsed = JSON.parse(this.text.value);
    } catch (error) {
      this.invalid.set(filename, { text: this.text.value, message: error.message });
      this.status.textContent = t("JSON 有误：{message}", { message: error.message });
      this.status.className = "df-form-status df-invalid";
      this.refreshList();
      return;
    }
    this.invalid.delete(filename);
    this.forms[filename] = parsed;
    this.status.textContent = t("JSON 格式正确");
    this.status.className = "df-form-status";
    this.refreshList();
    const schema = this.schemaFor(filename);
    const ui = filename.endsWith(UI_SCHEMA_SUFFIX) ? parsed : this.uiSchemaOf(filename);
    this.preview.replaceChildren(renderPreview(schema, ui));
  }

  /** Files whose text does not parse: [{element_id, message}] in the error list's shape. */
  problems() {
    return [...this.invalid].map(([filename, { message }]) => ({
      element_id: filename,
      message: t("JSON 有误：{message}", { message }),
    }));
  }
}
