// Service task → operator: <spiffworkflow:serviceTaskOperator id="area.verb" resultVariable="…">
// with an (empty) <spiffworkflow:parameters/>, the operator chosen from the registered handlers.
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { addExtension, extensionOf, removeExtension } from "./extension-elements.js";
import { t } from "./translate.js";

const OPERATOR = "spiffworkflow:ServiceTaskOperator";

function setOperator(element, name, services) {
  const businessObject = getBusinessObject(element);
  const existing = extensionOf(businessObject, OPERATOR);
  if (!name) {
    if (existing) {
      removeExtension(element, businessObject, existing, services);
    }
    return;
  }
  if (existing) {
    services.modeling.updateModdleProperties(element, existing, { id: name });
    return;
  }
  const parameterList = services.moddle.create("spiffworkflow:Parameters", { parameters: [] });
  const operator = services.moddle.create(OPERATOR, { id: name, parameterList });
  parameterList.$parent = operator;
  addExtension(element, businessObject, operator, services);
}

function OperatorSelect({ element, id, services, context }) {
  const current = () => (extensionOf(getBusinessObject(element), OPERATOR) || {}).id || "";
  return jsx(SelectEntry, {
    element,
    id,
    label: t("处理程序（operator）"),
    getValue: current,
    setValue: (value) => setOperator(element, value, services),
    getOptions: () => {
      const operators = [...context.catalogue.operators].sort();
      const options = [{ value: "", label: t("（未选择）") }, ...operators.map((name) => ({ value: name, label: name }))];
      const value = current();
      if (value && !operators.includes(value)) {
        options.push({ value, label: t("{name}（未注册）", { name: value }) });
      }
      return options;
    },
  });
}

function ResultVariable({ element, id, services }) {
  const operator = () => extensionOf(getBusinessObject(element), OPERATOR);
  return jsx(TextFieldEntry, {
    element,
    id,
    label: t("结果变量"),
    description: t("处理程序返回的数据存入此流程变量"),
    debounce: services.debounce,
    disabled: !operator(),
    getValue: () => (operator() || {}).resultVariable || "",
    setValue: (value) => services.modeling.updateModdleProperties(element, operator(), { resultVariable: value || undefined }),
    validate: (value) => (value && !/^[a-z][a-z0-9_]*$/.test(value) ? t("小写字母、数字和下划线，以字母开头") : null),
  });
}

export function serviceTaskGroup(element, services, context) {
  const entry = (id, component, isEdited) => ({ id, element, component, isEdited, services, context });
  return {
    id: "diagflow-service-task",
    label: t("服务处理（diagflow）"),
    entries: [
      entry("diagflow-operator", OperatorSelect, isSelectEntryEdited),
      entry("diagflow-result-variable", ResultVariable, isTextFieldEntryEdited),
    ],
  };
}
