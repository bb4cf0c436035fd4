/*
 * Inbox: the "select all" checkbox of the bulk form (hidden until this script reveals it).
 * An external file because the Content-Security-Policy forbids inline script; without
 * JavaScript every task's own checkbox still works.
 */
(function () {
  "use strict";

  function init() {
    var all = document.getElementById("check-all");
    var form = document.getElementById("bulk-form");
    if (all && form) {
      all.hidden = false;
      all.addEventListener("change", function () {
        form.querySelectorAll('input[name="task_ids"]').forEach(function (box) { box.checked = all.checked; });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
