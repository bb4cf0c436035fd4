// The objection form shows only the identity fields of the kind chosen (单位 or 个人).
// Without JavaScript both groups stay visible and the server reads the chosen one.
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="kind"]');
  var groups = document.querySelectorAll("fieldset.identity");

  function chosen() {
    for (var i = 0; i < radios.length; i += 1) {
      if (radios[i].checked) { return radios[i].value; }
    }
    return null;
  }

  function update() {
    var kind = chosen();
    for (var i = 0; i < groups.length; i += 1) {
      var shown = groups[i].getAttribute("data-kind") === kind;
      groups[i].hidden = !shown;
      groups[i].disabled = !shown;
    }
  }

  for (var i = 0; i < radios.length; i += 1) {
    radios[i].addEventListener("change", update);
  }
  if (radios.length) { update(); }
}());
