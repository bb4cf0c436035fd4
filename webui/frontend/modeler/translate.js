// The modeler's language. The page is Chinese or English (<html lang>, webui/i18n.py).
//
// diagflow's own texts are written in Chinese, each as the first argument of t() (a plain string
// literal, with {name} for values): webui/modeler.py extracts them from these sources with babel's
// JavaScript extractor, and in English pages passes their English from the catalogue as
// <div id="df-modeler" data-messages="{chinese: english}">, together with the English of the role
// labels the catalogue API sends (content()). Chinese pages carry no map: t() fills in the Chinese.
//
// bpmn-js and its properties panel speak English; in Chinese pages translateModule gives them the
// table below (the strings a process owner meets most; anything not listed stays in English).
let messages;

export function isEnglish() {
  return document.documentElement.lang === "en";
}

function pageMessages() {
  if (messages === undefined) {
    const root = document.getElementById("df-modeler");
    messages = isEnglish() && root && root.dataset.messages ? JSON.parse(root.dataset.messages) : {};
  }
  return messages;
}

function fill(template, values) {
  return template.replace(/{([^}]+)}/g, (match, key) => (key in values ? String(values[key]) : match));
}

/** A text of diagflow's in the page's language: t("已保存 {n} 项", { n: 3 }). */
export function t(chinese, values = {}) {
  return fill(pageMessages()[chinese] || chinese, values);
}

/** A Chinese text the modeler is sent as data (role labels), in English when the page has it. */
export function content(text) {
  return pageMessages()[text] || text;
}

const CHINESE = {
  General: "基本信息",
  Name: "名称",
  ID: "标识（ID）",
  Documentation: "说明文档",
  "Element documentation": "元素说明",
  "Process documentation": "流程说明",
  Timer: "定时器",
  Type: "类型",
  Value: "值",
  Date: "日期（timeDate）",
  Duration: "时长（timeDuration）",
  Cycle: "周期（timeCycle）",
  Message: "消息",
  "Global message reference": "引用的消息",
  "<none>": "（无）",
  "Create new ...": "新建…",
  "Multi-instance": "多实例",
  "Loop cardinality": "循环次数",
  "Completion condition": "完成条件",
  Condition: "条件",
  "Condition expression": "条件表达式",
  Executable: "可执行",
  "Version tag": "版本标记",
  "Activate hand tool": "抓手工具",
  "Activate lasso tool": "套索工具",
  "Activate create/remove space tool": "插入/删除空白",
  "Activate global connect tool": "连线工具",
  "Create start event": "添加开始事件",
  "Create intermediate/boundary event": "添加中间/边界事件",
  "Create end event": "添加结束事件",
  "Create gateway": "添加网关",
  "Create task": "添加任务",
  "Create data object reference": "添加数据对象",
  "Create data store reference": "添加数据存储",
  "Create expanded sub-process": "添加子流程",
  "Create pool/participant": "添加池",
  "Create group": "添加分组",
  "Append end event": "追加结束事件",
  "Append gateway": "追加网关",
  "Append task": "追加任务",
  "Append intermediate/boundary event": "追加中间事件",
  "Change element": "更换类型",
  "Change type": "更换类型",
  Delete: "删除",
  "Connect using sequence/message flow or association": "连线",
  "Connect to other element": "连线",
  "Add lane above": "在上方添加泳道",
  "Add lane below": "在下方添加泳道",
  "Divide into two lanes": "拆分为两条泳道",
  "Divide into three lanes": "拆分为三条泳道",
  "Add text annotation": "添加注释",
  "User task": "用户任务",
  "Service task": "服务任务",
  "Business rule task": "业务规则任务",
  "Script task": "脚本任务",
  Task: "任务",
  "Exclusive gateway": "排他网关",
  "Parallel gateway": "并行网关",
  "Start event": "开始事件",
  "End event": "结束事件",
  Lane: "泳道",
  Process: "流程",
  Participant: "池",
  "Sequence flow": "顺序流",
  "Timer Intermediate Catch Event": "定时中间事件",
  "Timer Boundary Event": "定时边界事件",
  "Timer Start Event": "定时开始事件",
  "Message Intermediate Catch Event": "消息中间事件",
  "Message Boundary Event": "消息边界事件",
  "Message Start Event": "消息开始事件",
  "Event-based Gateway": "事件网关",
  "User Task": "用户任务",
  "Service Task": "服务任务",
  "Business Rule Task": "业务规则任务",
  "Script Task": "脚本任务",
  "Exclusive Gateway": "排他网关",
  "Parallel Gateway": "并行网关",
  "Start Event": "开始事件",
  "End Event": "结束事件",
};

function translate(template, replacements = {}) {
  return fill(CHINESE[template] || template, replacements);
}

const translateModule = { translate: ["value", translate] };

/** The bpmn-js modules that set its language: the Chinese table, or none (its own English). */
export function languageModules() {
  return isEnglish() ? [] : [translateModule];
}
