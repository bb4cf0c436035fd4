// Decision tables: one dmn-js modeler per DMN file of the draft, created when its tab is first
// opened (dmn-js lays tables out in a visible container). Unopened files are saved unchanged.
import DmnModeler from "dmn-js/lib/Modeler";

export class DecisionEditors {
  constructor(decisions) {
    this.decisions = decisions;
    this.editors = new Map();
  }

  async show(filename, container) {
    if (this.editors.has(filename)) {
      return;
    }
    const editor = new DmnModeler({ container });
    this.editors.set(filename, editor);
    const { warnings } = await editor.importXML(this.decisions[filename]);
    const view = editor.getViews().find((candidate) => candidate.type === "decisionTable") || editor.getActiveView();
    if (view) {
      await editor.open(view);
    }
    return warnings;
  }

  get(filename) {
    return this.editors.get(filename);
  }

  async collect() {
    const result = { ...this.decisions };
    for (const [filename, editor] of this.editors) {
      result[filename] = (await editor.saveXML({ format: true })).xml;
    }
    return result;
  }
}
