// Reading and writing spiffworkflow extension elements through bpmn-js commands (undoable),
// exactly as the models under processes/ carry them:
//   <spiffworkflow:properties><spiffworkflow:property name="…" value="…"/></spiffworkflow:properties>
//   <spiffworkflow:serviceTaskOperator id="area.verb" resultVariable="…"><spiffworkflow:parameters/>…
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

export function extensionsOf(businessObject, type) {
  const values = (businessObject.extensionElements && businessObject.extensionElements.values) || [];
  return values.filter((value) => is(value, type));
}

export function extensionOf(businessObject, type) {
  return extensionsOf(businessObject, type)[0];
}

function ensureExtensionElements(element, businessObject, services) {
  if (businessObject.extensionElements) {
    return businessObject.extensionElements;
  }
  const extensionElements = services.bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
  extensionElements.$parent = businessObject;
  services.modeling.updateModdleProperties(element, businessObject, { extensionElements });
  return extensionElements;
}

/** Add an extension element to `businessObject` (the element's own, or e.g. its event definition). */
export function addExtension(element, businessObject, extension, services) {
  const extensionElements = ensureExtensionElements(element, businessObject, services);
  extension.$parent = extensionElements;
  services.modeling.updateModdleProperties(element, extensionElements, {
    values: [...extensionElements.values, extension],
  });
}

export function removeExtension(element, businessObject, extension, services) {
  const extensionElements = businessObject.extensionElements;
  services.modeling.updateModdleProperties(element, extensionElements, {
    values: extensionElements.values.filter((value) => value !== extension),
  });
}

export function getProperty(element, name) {
  const properties = extensionOf(getBusinessObject(element), "spiffworkflow:Properties");
  const property = properties && properties.properties.find((candidate) => candidate.name === name);
  return property ? property.value : undefined;
}

/** Set a spiffworkflow:property; an empty value removes it. */
export function setProperty(element, name, value, services) {
  const businessObject = getBusinessObject(element);
  const empty = value === undefined || value === null || value === "";
  let properties = extensionOf(businessObject, "spiffworkflow:Properties");
  if (!properties) {
    if (empty) {
      return;
    }
    properties = services.moddle.create("spiffworkflow:Properties", { properties: [] });
    addExtension(element, businessObject, properties, services);
  }
  const existing = properties.properties.find((candidate) => candidate.name === name);
  if (empty) {
    if (existing) {
      services.modeling.updateModdleProperties(element, properties, {
        properties: properties.properties.filter((candidate) => candidate !== existing),
      });
    }
    return;
  }
  if (existing) {
    services.modeling.updateModdleProperties(element, existing, { value: String(value) });
    return;
  }
  const property = services.moddle.create("spiffworkflow:Property", { name, value: String(value) });
  property.$parent = properties;
  services.modeling.updateModdleProperties(element, properties, {
    properties: [...properties.properties, property],
  });
}

/** Set the text of a body-only extension element (instructionsForEndUser, messageVariable). */
export function setTextExtension(element, businessObject, type, text, services) {
  const existing = extensionOf(businessObject, type);
  if (!text) {
    if (existing) {
      removeExtension(element, businessObject, existing, services);
    }
    return;
  }
  if (existing) {
    services.modeling.updateModdleProperties(element, existing, { value: text });
    return;
  }
  addExtension(element, businessObject, services.moddle.create(type, { value: text }), services);
}

export function getTextExtension(businessObject, type) {
  const existing = extensionOf(businessObject, type);
  return existing ? existing.value || "" : "";
}
