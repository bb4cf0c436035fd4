// The deployed versions of the process, newest first, with what each deployment changed.
const NAMES_SHOWN = 6;
const SUMMARY_LABELS = [
  ["added", "新增"],
  ["removed", "删除"],
  ["changed", "修改"],
];

export function describeSummary(summary) {
  if (!summary) {
    return "—";
  }
  const parts = [];
  for (const [key, label] of SUMMARY_LABELS) {
    const value = summary[key];
    if (Array.isArray(value) && value.length) {
      const shown = value.slice(0, NAMES_SHOWN).join("、");
      parts.push(`${label} ${value.length}：${shown}${value.length > NAMES_SHOWN ? " 等" : ""}`);
    } else if (typeof value === "number" && value) {
      parts.push(`${label} ${value}`);
    }
  }
  return parts.length ? parts.join("；") : "无元素变化";
}

function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value || "—");
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
        cell(`第 ${version.version} 版`),
        cell(version.deployed_by || "—"),
        cell(formatTime(version.deployed_at)),
        cell(describeSummary(version.summary)),
      );
      return row;
    }),
  );
}
