// The process modeler page (webui/templates/modeler.html): the draft of one process, its BPMN
// in bpmn-js with the properties panel and diagflow's entries, its decision tables in dmn-js,
// its forms in a JSON editor with a preview; 保存 and 发布 through the process-owner API. Its texts
// follow the page's language (translate.js).
import "./styles.js";

import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";

import { processApi } from "./api.js";
import { DecisionEditors } from "./decisions.js";
import { diagflowPropertiesModule } from "./diagflow-properties.js";
import { FormEditor } from "./form-editor.js";
import { ProblemList } from "./problems.js";
import { spiffworkflowDescriptor } from "./spiffworkflow-moddle.js";
import { Tabs } from "./tabs.js";
import { languageModules, t } from "./translate.js";
import { significantWarnings, variableReferencesModule } from "./variable-references.js";
import { describeSummary, renderVersions } from "./versions.js";

const byId = (id) => document.getElementById(id);
const PALETTE_WIDTH = 150;
const OPEN_GROUPS = Object.fromEntries(
  ["general", "diagflow-lane", "diagflow-user-task", "diagflow-service-task", "diagflow-timer", "diagflow-message"].map(
    (id) => [id, { open: true }],
  ),
);

/** The whole diagram in view, right of the palette, so the lanes' role names stay visible. */
function fitBesidePalette(canvas) {
  const margin = 12;
  const { inner, outer } = canvas.viewbox();
  const width = outer.width - PALETTE_WIDTH - 2 * margin;
  const scale = Math.min(width / inner.width, (outer.height - 2 * margin) / inner.height, 1);
  canvas.viewbox({
    x: inner.x - (PALETTE_WIDTH + margin) / scale,
    y: inner.y - margin / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}

class ModelerPage {
  constructor(root, catalogue, draft) {
    this.root = root;
    this.api = processApi(root.dataset.processId);
    this.revision = draft.revision;
    this.dirty = false;
    this.forms = draft.forms || {};
    this.decisions = new DecisionEditors(draft.decisions || {});
    this.formEditor = new FormEditor(byId("df-panel-forms"), this.forms);
    this.tabs = new Tabs(byId("df-tabs"), root, (name) => this.showTab(name));
    for (const filename of Object.keys(draft.decisions || {}).sort()) {
      this.tabs.add(`dmn:${filename}`, t("决策表：{filename}", { filename }));
    }
    this.modeler = new BpmnModeler({
      container: byId("df-canvas"),
      
      propertiesPanel: { parent: byId("df-properties"), layout: { groups: OPEN_GROUPS } },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        diagflowPropertiesModule(this.context(catalogue)),
        variableReferencesModule,
        ...languageModules(),
      ],
      moddleExtensions: { spiffworkflow: spiffworkflowDescriptor },
    });
    this.problems = new ProblemList(byId("df-problems"), this.modeler, (id) => this.showFile(id));
    this.modeler.on("commandStack.changed", () => this.setDirty());
    this.formEditor.text.addEventListener("input", () => this.setDirty());
    byId("df-save").addEventListener("click", () => this.run(() => this.save()));
    byId("df-deploy").addEventListener("click", () => this.run(() => this.deploy()));
    byId("df-reload").addEventListener("click", () => {
      this.dirty = false;
      window.location.reload();
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty) {
        event.preventDefault();
      }
    });
  }

  context(catalogue) {
    return {
      catalogue,
      forms: () => this.forms,
      createForm: (taskId, title) => {
        this.setDirty();
        return this.formEditor.create(taskId, title);
      },
      openForm: (filename) => {
        this.tabs.select("forms");
        this.formEditor.open(filename);
      },
    };
  }

  async open(bpmn) {
    const { warnings } = await this.modeler.importXML(bpmn);
    fitBesidePalette(this.modeler.get("canvas"));
    const shown = significantWarnings(warnings).map((warning) => ({ element_id: "", message: warning.message }));
    this.problems.show(t("导入时的问题"), shown);
    this.showRevision();
  }

  setDirty() {
    this.dirty = true;
    this.showRevision();
  }

  showRevision() {
    const revision = this.revision;
    byId("df-revision").textContent = this.dirty
      ? t("草稿修订 {revision}（有未保存的修改）", { revision })
      : t("草稿修订 {revision}", { revision });
  }

  status(text, kind = "info") {
    const status = byId("df-status");
    status.textContent = text;
    status.dataset.kind = kind;
  }

  async run(action) {
    const buttons = [byId("df-save"), byId("df-deploy")];
    buttons.forEach((button) => (button.disabled = true));
    try {
      await action();
    } catch (error) {
      this.status(error.message, "error");
    } finally {
      buttons.forEach((button) => (button.disabled = false));
    }
  }

  async showTab(name) {
    if (name.startsWith("dmn:")) {
      const filename = name.slice(4);
      const warnings = await this.decisions.show(filename, this.tabs.panel(name));
      if (warnings && warnings.length) {
        this.status(
          t("{filename} 导入时有 {count} 条警告：{message}", {
            filename,
            count: warnings.length,
            message: warnings[0].message,
          }),
          "error",
        );
      }
    }
  }

  showFile(filename) {
    if (filename in this.forms) {
      this.tabs.select("forms");
      this.formEditor.open(filename);
    } else if (this.tabs.has(`dmn:${filename}`)) {
      this.tabs.select(`dmn:${filename}`);
    }
  }

  /** PUT the draft; true when saved (with or without validation errors). */
  async save() {
    const unparsed = this.formEditor.problems();
    if (unparsed.length) {
      this.problems.show(t("表单 JSON 有误，未保存"), unparsed);
      this.status(t("未保存：请先改正表单 JSON"), "error");
      return false;
    }
    const { xml } = await this.modeler.saveXML({ format: true });
    const decisions = await this.decisions.collect();
    this.status(t("正在保存…"));
    const answer = await this.api.save({ revision: this.revision, bpmn: xml, forms: this.forms, decisions });
    if (answer.status === 409) {
      byId("df-conflict").hidden = false;
      this.status(t("未保存：有人已保存了更新的版本"), "error");
      return false;
    }
    this.revision = answer.data.revision;
    this.dirty = false;
    this.showRevision();
    const errors = answer.data.errors || [];
    this.problems.show(t("校验错误"), errors);
    const revision = this.revision;
    this.status(
      errors.length
        ? t("已保存（修订 {revision}），有 {count} 项校验错误", { revision, count: errors.length })
        : t("已保存（修订 {revision}），校验通过", { revision }),
      errors.length ? "error" : "success",
    );
    return true;
  }

  async deploy() {
    if (this.dirty && !(await this.save())) {
      return;
    }
    this.status(t("正在发布…"));
    const answer = await this.api.deploy(this.revision);
    if (answer.status === 422) {
      this.problems.show(t("发布被拒绝"), answer.data.errors || []);
      this.status(t("未发布：模型有错误"), "error");
      return;
    }
    this.problems.show(t("校验错误"), []);
    const summary = describeSummary(answer.data.summary);
    this.status(t("已发布第 {version} 版：{summary}", { version: answer.data.version, summary }), "success");
    await this.loadVersions();
  }

  async loadVersions() {
    const answer = await this.api.versions();
    renderVersions(byId("df-versions"), answer.data);
  }
}

async function start(root) {
  const api = processApi(root.dataset.processId);
  const [catalogue, draft] = await Promise.all([api.catalogue(), api.draft()]);
  const page = new ModelerPage(root, catalogue.data, draft.data);
  await page.open(draft.data.bpmn);
  await page.loadVersions();
  root.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  const root = byId("df-modeler");
  if (!root) {
    return;
  }
  start(root).catch((error) => {
    const status = byId("df-status");
    status.textContent = t("建模器无法启动：{message}", { message: error.message });
    status.dataset.kind = "error";
  });
});
