// The process page's diagram: the version's model drawn with bpmn-js, each element with
// unfinished instances marked with their number and average working days there.
// No inline script (CSP): the figures come from the container's data-elements attribute.
(function () {
  "use strict";

  function badge(figures) {
    const element = document.createElement("span");
    element.className = "df-heat";
    element.textContent = figures.active + " 件 · " + figures.avg_working_days + " 工作日";
    element.title = "在办实例 " + figures.active + " 件，平均已停留 " + figures.avg_working_days + " 个工作日";
    return element;
  }

  async function show(container) {
    const response = await fetch(container.dataset.src, { credentials: "same-origin" });
    if (!response.ok) {
      container.textContent = "流程图加载失败（" + response.status + "）";
      return;
    }
    const viewer = new BpmnJS({ container: container });
    await viewer.importXML(await response.text());
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const overlays = viewer.get("overlays");
    canvas.zoom("fit-viewport");
    const elements = JSON.parse(container.dataset.elements || "{}");
    for (const [id, figures] of Object.entries(elements)) {
      if (!registry.get(id)) continue;
      canvas.addMarker(id, "df-active");
      overlays.add(id, { position: { top: -14, left: 0 }, html: badge(figures) });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const container = document.getElementById("process-diagram");
    if (container && window.BpmnJS) {
      show(container).catch(function (error) {
        container.textContent = "流程图无法显示：" + error.message;
      });
    }
  });
})();
