// Message events: the message name (a bpmn:message in the definitions, created when new) and
// the variable that receives the payload, <spiffworkflow:messageVariable> inside the
// messageEventDefinition's extensionElements.
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { getTextExtension, setTextExtension } from "./extension-elements.js";
import { t } from "./translate.js";

export function messageDefinitionOf(element) {
  const definitions = getBusinessObject(element).eventDefinitions || [];
  return definitions.find((definition) => is(definition, "bpmn:MessageEventDefinition"));
}

function definitionsOf(element) {
  let node = getBusinessObject(element);
  while (node && !is(node, "bpmn:Definitions")) {
    node = node.$parent;
  }
  return node;
}

function messagesOf(element) {
  return definitionsOf(element).rootElements.filter((root) => is(root, "bpmn:Message"));
}

function setMessageName(element, name, services) {
  const definition = messageDefinitionOf(element);
  if (!name) {
    services.modeling.updateModdleProperties(element, definition, { messageRef: undefined });
    return;
  }
  let message = messagesOf(element).find((candidate) => candidate.name === name);
  if (!message) {
    const definitions = definitionsOf(element);
    message = services.bpmnFactory.create("bpmn:Message", { name });
    message.$parent = definitions;
    services.modeling.updateModdleProperties(element, definitions, {
      rootElements: [...definitions.rootElements, message],
    });
  }
  services.modeling.updateModdleProperties(element, definition, { messageRef: message });
}

function MessageName({ element, id, services, context }) {
  return jsx(SelectEntry, {
    element,
    id,
    label: t("消息名称"),
    getValue: () => ((messageDefinitionOf(element).messageRef || {}).name || ""),
    setValue: (value) => setMessageName(element, value, services),
    getOptions: () => {
      const names = new Set([...context.catalogue.messages, ...messagesOf(element).map((message) => message.name)]);
      return [
        { value: "", label: t("（未选择）") },
        ...[...names].filter(Boolean).sort().map((name) => ({ value: name, label: name })),
      ];
    },
  });
}

function MessageVariable({ element, id, services }) {
  const definition = messageDefinitionOf(element);
  return jsx(TextFieldEntry, {
    element,
    id,
    label: t("消息数据变量"),
    description: t("收到的消息内容存入此流程变量"),
    debounce: services.debounce,
    getValue: () => getTextExtension(definition, "spiffworkflow:MessageVariable"),
    setValue: (value) =>
      setTextExtension(element, definition, "spiffworkflow:MessageVariable", (value || "").trim(), services),
  });
}

export function messageGroup(element, services, context) {
  const entry = (id, component, isEdited) => ({ id, element, component, isEdited, services, context });
  return {
    id: "diagflow-message",
    label: t("消息（diagflow）"),
    entries: [
      entry("diagflow-message-name", MessageName, isSelectEntryEdited),
      entry("diagflow-message-variable", MessageVariable, isTextFieldEntryEdited),
    ],
  };
}
