// The instance page's diagram: the model of the instance's version, drawn with bpmn-js,
// completed elements marked green and current ones blue. No inline script (CSP).
(function () {
  "use strict";

  function ids(element, name) {
    return (element.dataset[name] || "").split(" ").filter(Boolean);
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
    canvas.zoom("fit-viewport");
    for (const id of ids(container, "done")) {
      if (registry.get(id)) canvas.addMarker(id, "df-done");
    }
    for (const id of ids(container, "active")) {
      if (registry.get(id)) canvas.addMarker(id, "df-active");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const container = document.getElementById("diagram");
    if (container && window.BpmnJS) {
      show(container).catch(function (error) {
        container.textContent = "流程图无法显示：" + error.message;
      });
    }
  });
})();
