// Lane → role: a lane's name is the role key (engine/roles.py); the select offers the
// catalogue's roles, and a name that is not one stays visible, flagged.
import { SelectEntry, isSelectEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { getBusinessObject } from "bpmn-js/lib/util/ModelUtil";

import { content, t } from "./translate.js";

export function roleOptions(roles, current, emptyLabel) {
  const options = [{ value: "", label: emptyLabel }];
  for (const role of roles) {
    options.push({ value: role.key, label: t("{label}（{key}）", { label: content(role.label), key: role.key }) });
  }
  if (current && !roles.some((role) => role.key === current)) {
    options.push({ value: current, label: t("{name}（不是已登记的角色）", { name: current }) });
  }
  return options;
}

function LaneRole({ element, id, services, context }) {
  const roles = context.catalogue.roles;
  return jsx(SelectEntry, {
    element,
    id,
    label: t("办理角色"),
    description: t("泳道名称即角色代码，决定谁办理泳道中的任务"),
    getValue: () => getBusinessObject(element).name || "",
    setValue: (value) => services.modeling.updateProperties(element, { name: value || undefined }),
    getOptions: () => roleOptions(roles, getBusinessObject(element).name, t("（请选择角色）")),
    validate: (value) => (value && !roles.some((role) => role.key === value) ? t("不是已登记的角色") : null),
  });
}

export function laneGroup(element, services, context) {
  return {
    id: "diagflow-lane",
    label: t("办理角色（diagflow）"),
    entries: [
      { id: "diagflow-lane-role", element, component: LaneRole, isEdited: isSelectEntryEdited, services, context },
    ],
  };
}
