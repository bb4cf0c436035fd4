// Timer events: a helper that lists the calendar functions with their signatures and writes a
// correctly quoted call as the timer's timeDate expression (see timer-expression.js).
import { h } from "@bpmn-io/properties-panel/preact";
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { buildCall, parameterNames } from "./timer-expression.js";
import { t } from "./translate.js";

const TIMER_TYPES = ["timeDate", "timeDuration", "timeCycle"];

/** "add_working_days(start, n)" for "add_working_days(start: 'Moment', n: 'int') -> 'str'". */
function shortSignature(fn) {
  return `${fn.name}(${parameterNames(fn.signature).join(", ")})`;
}

export function timerDefinitionOf(element) {
  const definitions = getBusinessObject(element).eventDefinitions || [];
  return definitions.find((definition) => is(definition, "bpmn:TimerEventDefinition"));
}

function currentExpression(timer) {
  const type = TIMER_TYPES.find((candidate) => timer[candidate]);
  return type ? `${type}: ${timer[type].body || ""}` : t("（未设置）");
}

function writeTimeDate(element, timer, expression, services) {
  const timeDate = services.bpmnFactory.create("bpmn:FormalExpression", { body: expression });
  timeDate.$parent = timer;
  services.modeling.updateModdleProperties(element, timer, {
    timeDate,
    timeDuration: undefined,
    timeCycle: undefined,
  });
}

function TimerHelper({ element, services, context }) {
  const functions = context.catalogue.functions;
  const [name, setName] = useState(functions.length ? functions[0].name : "");
  const [argumentsByName, setArguments] = useState({});
  const chosen = functions.find((candidate) => candidate.name === name);
  const parameters = chosen ? parameterNames(chosen.signature) : [];
  const texts = parameters.map((parameter) => argumentsByName[parameter] || "");
  const complete = chosen && texts.every((text) => text.trim() !== "");
  const expression = complete ? buildCall(chosen.name, texts) : "";
  const timer = timerDefinitionOf(element);

  return h(
    "div",
    { class: "bio-properties-panel-entry df-timer-helper" },
    h("p", { class: "df-current" }, t("当前表达式："), h("code", null, currentExpression(timer))),
    h(
      "label",
      { class: "bio-properties-panel-label", for: "df-timer-function" },
      t("日历函数"),
    ),
    h(
      "select",
      {
        id: "df-timer-function",
        class: "bio-properties-panel-input",
        value: name,
        onChange: (event) => {
          setName(event.target.value);
          setArguments({});
        },
      },
      functions.map((candidate) => h("option", { value: candidate.name }, shortSignature(candidate))),
    ),
    chosen && chosen.doc ? h("p", { class: "df-doc" }, chosen.doc) : null,
    parameters.map((parameter) =>
      h(
        "div",
        { class: "df-argument" },
        h("label", { class: "bio-properties-panel-label", for: `df-timer-arg-${parameter}` }, t("参数 {name}", { name: parameter })),
        h("input", {
          id: `df-timer-arg-${parameter}`,
          class: "bio-properties-panel-input",
          placeholder: t("流程变量名、数字或日期"),
          value: argumentsByName[parameter] || "",
          onInput: (event) => setArguments({ ...argumentsByName, [parameter]: event.target.value }),
        }),
      ),
    ),
    h("p", { class: "df-preview" }, t("将写入："), h("code", null, expression || t("（请填写全部参数）"))),
    h(
      "button",
      {
        type: "button",
        class: "df-button",
        disabled: !complete,
        onClick: () => writeTimeDate(element, timer, expression, services),
      },
      t("写入定时器（timeDate）"),
    ),
    h(
      "details",
      { class: "df-function-list" },
      h("summary", null, t("全部日历函数")),
      h(
        "dl",
        null,
        functions.flatMap((candidate) => [h("dt", null, h("code", null, candidate.signature)), h("dd", null, candidate.doc)]),
      ),
    ),
  );
}

export function timerGroup(element, services, context) {
  return {
    id: "diagflow-timer",
    label: t("工作日定时（diagflow）"),
    entries: [{ id: "diagflow-timer-helper", element, component: TimerHelper, isEdited: () => false, services, context }],
  };
}
