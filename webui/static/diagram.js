// The instance page's diagram: the model of the instance's version, drawn with bpmn-js,
// completed elements marked green and current ones blue. No inline script (CSP).
// The process page (process_detail.html) uses it too: `data-figures` (JSON, element id →
// {active, avg_working_days}) puts the number of unfinished instances on each element.
(function () {
  "use strict";

  function ids(element, name) {
    return (element.dataset[name] || "").split(" ").filter(Boolean);
  }

  function badge(figures) {
    const element = document.createElement("span");
    element.className = "df-heat";
    const values = { active: figures.active, days: figures.avg_working_days };
    element.textContent = window.diagflowText("element_figures", "{active} 件 · {days} 工作日", values);
    element.title = window.diagflowText("element_title", "在办实例 {active} 件，平均已停留 {days} 个工作日", values);
    return element;
  }

  async function show(container) {
    const response = await fetch(container.dataset.src, { credentials: "same-origin" });
    if (!response.ok) {
      container.textContent = window.diagflowText("diagram_failed", "流程图加载失败（{status}）", { status: response.status });
      return;
    }
    const viewer = new BpmnJS({ container: container });
    await viewer.importXML(await response.text());
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    for (const id of ids(container, "done")) {
      if (registry.get(id)) canvas.addMarker(id, "df-done");
    }
    for (const id of ids(container, "active")) {
      if (registry.get(id)) canvas.addMarker(id, "df-active");
    }
    const overlays = viewer.get("overlays");
    for (const [id, figures] of Object.entries(JSON.parse(container.dataset.figures || "{}"))) {
      if (registry.get(id)) overlays.add(id, { position: { top: -14, left: 0 }, html: badge(figures) });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const container = document.getElementById("diagram");
    if (container && window.BpmnJS) {
      show(container).catch(function (error) {
        container.textContent = window.diagflowText("diagram_error", "流程图无法显示：{message}", { message: error.message });
      });
    }
  });
})();
