// SpiffWorkflow's multi-instance tasks name process variables in loopDataInputRef and
// loopDataOutputRef (`<bpmn:loopDataInputRef>expert_ids</bpmn:loopDataInputRef>`). For
// bpmn-moddle those are references to elements that do not exist, which it would drop on
// export; this keeps each as a detached stand-in that exports as the same name.
const VARIABLE_REFERENCES = new Set(["bpmn:loopDataInputRef", "bpmn:loopDataOutputRef"]);

function VariableReferences(eventBus, moddle) {
  eventBus.on("import.parse.complete", (event) => {
    for (const warning of event.warnings || []) {
      if (warning.element && VARIABLE_REFERENCES.has(warning.property)) {
        warning.element.set(warning.property, moddle.create("bpmn:DataInput", { id: warning.value }));
      }
    }
  });
}
VariableReferences.$inject = ["eventBus", "moddle"];

/** Import warnings a person must see: everything except the variable references kept above. */
export function significantWarnings(warnings) {
  return warnings.filter((warning) => !VARIABLE_REFERENCES.has(warning.property));
}

export const variableReferencesModule = {
  __init__: ["variableReferences"],
  variableReferences: ["type", VariableReferences],
};
