/*
 * Add/remove rows of array-of-object fields rendered by templates/_form.html, and the
 * Chinese rendering (2026年3月2日) beside each date input.
 *
 * An external file rather than inline script because the site's
 * Content-Security-Policy forbids inline JavaScript. Each array field is a
 * <fieldset class="field-array" data-next-index="N"> holding an
 * <ol class="array-rows">, a <template class="array-row-template"> whose
 * names/ids contain "__INDEX__", and hidden add/remove buttons that are only
 * revealed here, so users without JavaScript never see dead buttons.
 *
 * Indices of deleted rows are not reused or compacted: the server
 * (webui/forms.py) reads the indices in numeric order and renumbers them.
 */
(function () {
  "use strict";

  var PLACEHOLDER = /__INDEX__/g;
  var INDEXED_ATTRIBUTES = ["id", "name", "for", "aria-describedby", "aria-labelledby"];

  function rowsOf(container) {
    return container.querySelector(":scope > .array-rows");
  }

  function reveal(root) {
    root.querySelectorAll("button.array-add[hidden], button.array-remove[hidden]")
      .forEach(function (button) { button.hidden = false; });
  }

  function fillIndex(fragment, index) {
    fragment.querySelectorAll("*").forEach(function (element) {
      INDEXED_ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null && value.indexOf("__INDEX__") !== -1) {
          element.setAttribute(attribute, value.replace(PLACEHOLDER, index));
        }
      });
    });
  }

  /* Row labels show positions ("第 2 行"), which change when rows are removed. */
  function renumber(container) {
    var rows = rowsOf(container).querySelectorAll(":scope > .array-row");
    rows.forEach(function (row, position) {
      var label = row.querySelector(".array-row-label");
      if (label && label.dataset.label) {
        label.textContent = label.dataset.label.replace("{n}", String(position + 1));
      }
    });
  }

  function addRow(container) {
    var template = container.querySelector(":scope > template.array-row-template");
    var list = rowsOf(container);
    if (!template || !list) {
      return;
    }
    var index = parseInt(container.dataset.nextIndex, 10);
    if (isNaN(index)) {
      index = list.children.length;
    }
    container.dataset.nextIndex = String(index + 1);

    var fragment = template.content.cloneNode(true);
    fillIndex(fragment, String(index));
    reveal(fragment);
    var row = fragment.firstElementChild;
    list.appendChild(fragment);
    renumber(container);

    var first = row && row.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  }

  function removeRow(container, row) {
    row.remove();
    if (!rowsOf(container).querySelector(":scope > .array-row")) {
      addRow(container);
    } else {
      renumber(container);
    }
    var add = container.querySelector(":scope > button.array-add");
    if (add) {
      add.focus();
    }
  }

  function onClick(event) {
    var button = event.target.closest("button.array-add, button.array-remove");
    if (!button) {
      return;
    }
    if (button.classList.contains("array-add")) {
      addRow(button.closest(".field-array"));
      return;
    }
    var row = button.closest(".array-row");
    var container = row && row.parentElement && row.parentElement.closest(".field-array");
    if (container) {
      removeRow(container, row);
    }
  }

  /* Beside each date input, the date as written in China (2026年3月2日), or in English pages
     (<html lang="en">) as 2 Mar 2026; the input keeps ISO. */
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function localDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
      return "";
    }
    if (document.documentElement.lang === "en") {
      return Number(match[3]) + " " + MONTHS[Number(match[2]) - 1] + " " + match[1];
    }
    return match[1] + "年" + Number(match[2]) + "月" + Number(match[3]) + "日";
  }

  function onDateInput(event) {
    var input = event.target;
    if (!input.matches || !input.matches('input[type="date"]')) {
      return;
    }
    var shown = document.querySelector('[data-date-cn-for="' + input.id + '"]');
    if (shown) {
      shown.textContent = localDate(input.value);
    }
  }

  function init() {
    reveal(document);
    document.addEventListener("click", onClick);
    document.addEventListener("input", onDateInput);
    document.addEventListener("change", onDateInput);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
