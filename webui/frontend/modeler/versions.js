// The deployed versions of the process, newest first, with what each deployment changed.
import { isEnglish, t } from "./translate.js";

const NAMES_SHOWN = 6;
const summaryLabels = () => [
  ["added", t("新增")],
  ["removed", t("删除")],
  ["changed", t("修改")],
];

export function describeSummary(summary) {
  if (!summary) {
    return "—";
  }
  const parts = [];
  for (const [key, label] of summaryLabels()) {
    const value = summary[key];
    if (Array.isArray(value) && value.length) {
      const values = { label, count: value.length, names: value.slice(0, NAMES_SHOWN).join(t("、")) };
      parts.push(value.length > NAMES_SHOWN ? t("{label} {count}：{names} 等", values) : t("{label} {count}：{names}", values));
    } else if (typeof value === "number" && value) {
      parts.push(`${label} ${value}`);
    }
  }
  return parts.length ? parts.join(t("；")) : t("无元素变化");
}

function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value || "—");
  }
  if (isEnglish()) {
    const parts = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" };
    return date.toLocaleString("en-GB", { ...parts, timeZone: "Asia/Shanghai", hour12: false });
  }
  return date.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

export function renderVersions(tbody, versions) {
  const rows = [...versions].sort((a, b) => b.version - a.version);
  tbody.replaceChildren(
    ...rows.map((version) => {
      const row = document.createElement("tr");
      row.dataset.version = String(version.version);
      row.append(
        cell(t("第 {version} 版", { version: version.version })),
        cell(version.deployed_by || "—"),
        cell(formatTime(version.deployed_at)),
        cell(describeSummary(version.summary)),
      );
      return row;
    }),
  );
}
