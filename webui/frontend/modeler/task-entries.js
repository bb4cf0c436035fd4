// User task settings diagflow reads (docs/modelling.md): the form, the due time in working
// days, where an overdue task is escalated, who it is assigned to, the district it belongs to,
// and the instructions shown above the form.
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { getProperty, getTextExtension, setProperty, setTextExtension } from "./extension-elements.js";
import { roleOptions } from "./role-entries.js";
import { t } from "./translate.js";

export const SCHEMA_SUFFIX = ".schema.json";
const UI_SCHEMA_SUFFIX = ".uischema.json";

function uiSchemaFor(schemaFilename, forms) {
  const candidate = schemaFilename.slice(0, -SCHEMA_SUFFIX.length) + UI_SCHEMA_SUFFIX;
  return candidate in forms ? candidate : "";
}

function chooseForm(element, filename, services, context) {
  setProperty(element, "formJsonSchemaFilename", filename, services);
  setProperty(element, "formUiSchemaFilename", filename ? uiSchemaFor(filename, context.forms()) : "", services);
}

function FormSelect({ element, id, services, context }) {
  return jsx(SelectEntry, {
    element,
    id,
    label: t("表单（JSON Schema）"),
    getValue: () => getProperty(element, "formJsonSchemaFilename") || "",
    setValue: (value) => chooseForm(element, value, services, context),
    getOptions: () => {
      const current = getProperty(element, "formJsonSchemaFilename");
      const files = Object.keys(context.forms()).filter((name) => name.endsWith(SCHEMA_SUFFIX)).sort();
      const options = [{ value: "", label: t("（未选择表单）") }, ...files.map((name) => ({ value: name, label: name }))];
      if (current && !files.includes(current)) {
        options.push({ value: current, label: t("{name}（文件不存在）", { name: current }) });
      }
      return options;
    },
  });
}

function FormButtons({ element, services, context }) {
  const current = getProperty(element, "formJsonSchemaFilename");
  const createForm = () => {
    const businessObject = getBusinessObject(element);
    const filename = context.createForm(businessObject.id, businessObject.name || businessObject.id);
    chooseForm(element, filename, services, context);
    context.openForm(filename);
  };
  return h(
    "div",
    { class: "bio-properties-panel-entry df-entry-buttons" },
    h("button", { type: "button", class: "df-button", onClick: createForm }, t("新建表单")),
    current && current in context.forms()
      ? h("button", { type: "button", class: "df-button", onClick: () => context.openForm(current) }, t("编辑表单"))
      : null,
  );
}

function DueWorkingDays({ element, id, services }) {
  return jsx(TextFieldEntry, {
    element,
    id,
    label: t("办理期限（工作日）"),
    description: t("到达后第 n 个工作日 24:00 到期；留空表示不设期限"),
    debounce: services.debounce,
    getValue: () => getProperty(element, "dueWorkingDays") || "",
    setValue: (value) => setProperty(element, "dueWorkingDays", (value || "").trim(), services),
    validate: (value) => (value && !/^\s*[1-9]\d*\s*$/.test(value) ? t("请输入正整数") : null),
  });
}

function EscalateTo({ element, id, services, context }) {
  return jsx(SelectEntry, {
    element,
    id,
    label: t("逾期督办角色"),
    getValue: () => getProperty(element, "escalateTo") || "",
    setValue: (value) => setProperty(element, "escalateTo", value, services),
    getOptions: () => roleOptions(context.catalogue.roles, getProperty(element, "escalateTo"), t("（默认）")),
  });
}

/** `texts` gives the label and the description, in the page's language when the entry is drawn. */
function expressionEntry(name, texts) {
  return function ExpressionProperty({ element, id, services }) {
    const [label, description] = texts();
    return jsx(TextFieldEntry, {
      element,
      id,
      label,
      description,
      debounce: services.debounce,
      getValue: () => getProperty(element, name) || "",
      setValue: (value) => setProperty(element, name, (value || "").trim(), services),
    });
  };
}

const Assignee = expressionEntry("assignee", () => [
  t("指派给（表达式）"),
  t("得出用户 ID 的表达式；专家、第三方机构的任务必须指派"),
]);
const TaskDistrict = expressionEntry("taskDistrict", () => [
  t("办理区县（表达式）"),
  t("一个实例含多个区县的任务时，得出区县名称的表达式"),
]);

function Instructions({ element, id, services }) {
  const businessObject = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element,
    id,
    label: t("办理说明（Markdown）"),
    rows: 4,
    debounce: services.debounce,
    getValue: () => getTextExtension(businessObject, "spiffworkflow:InstructionsForEndUser"),
    setValue: (value) =>
      setTextExtension(element, businessObject, "spiffworkflow:InstructionsForEndUser", value, services),
  });
}

export function userTaskGroup(element, services, context) {
  const entry = (id, component, isEdited) => ({ id, element, component, isEdited, services, context });
  return {
    id: "diagflow-user-task",
    label: t("任务设置（diagflow）"),
    entries: [
      entry("diagflow-form", FormSelect, isSelectEntryEdited),
      entry("diagflow-form-buttons", FormButtons, () => false),
      entry("diagflow-due", DueWorkingDays, isTextFieldEntryEdited),
      entry("diagflow-escalate", EscalateTo, isSelectEntryEdited),
      entry("diagflow-assignee", Assignee, isTextFieldEntryEdited),
      entry("diagflow-task-district", TaskDistrict, isTextFieldEntryEdited),
      entry("diagflow-instructions", Instructions, isTextAreaEntryEdited),
    ],
  };
}
