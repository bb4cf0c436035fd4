// The diagflow group of the properties panel: what diagflow reads from a model, per element
// kind, placed right after the standard "General" group.
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { laneGroup } from "./role-entries.js";
import { messageDefinitionOf, messageGroup } from "./message-entries.js";
import { serviceTaskGroup } from "./operator-entries.js";
import { userTaskGroup } from "./task-entries.js";
import { timerDefinitionOf, timerGroup } from "./timer-entries.js";

function groupsFor(element, services, context) {
  const groups = [];
  if (is(element, "bpmn:Lane")) {
    groups.push(laneGroup(element, services, context));
  }
  if (is(element, "bpmn:UserTask")) {
    groups.push(userTaskGroup(element, services, context));
  }
  if (is(element, "bpmn:ServiceTask")) {
    groups.push(serviceTaskGroup(element, services, context));
  }
  if (is(element, "bpmn:Event") && getBusinessObject(element).eventDefinitions) {
    if (timerDefinitionOf(element)) {
      groups.push(timerGroup(element, services, context));
    }
    if (messageDefinitionOf(element)) {
      groups.push(messageGroup(element, services, context));
    }
  }
  return groups;
}

export function DiagflowPropertiesProvider(propertiesPanel, injector, diagflowContext) {
  const services = {
    modeling: injector.get("modeling"),
    moddle: injector.get("moddle"),
    bpmnFactory: injector.get("bpmnFactory"),
    debounce: injector.get("debounceInput"),
  };
  this.getGroups = (element) => (groups) => {
    const ours = groupsFor(element, services, diagflowContext);
    const general = groups.findIndex((group) => group.id === "general");
    groups.splice(general + 1, 0, ...ours);
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}
DiagflowPropertiesProvider.$inject = ["propertiesPanel", "injector", "diagflowContext"];

export function diagflowPropertiesModule(context) {
  return {
    __init__: ["diagflowPropertiesProvider"],
    diagflowPropertiesProvider: ["type", DiagflowPropertiesProvider],
    diagflowContext: ["value", context],
  };
}
