/* Forms that grow, and files checked before they are sent (issue 12).
 *
 * Vendored, no dependencies, loaded with `defer` under the CSP (script-src 'self'): no
 * inline script. Everything here is an extra: without it the "Thêm dòng" button posts the
 * form back with one more row, and the server checks every file.
 */
(function () {
  "use strict";

  function renumber(tbody) {
    var n = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      n += 1;
      var cell = row.querySelector("td.num");
      if (cell) { cell.textContent = String(n); }
    });
  }

  function growing(table) {
    var fieldset = table.closest("fieldset") || table.parentNode;
    var count = fieldset.querySelector("input.row-count");
    var template = fieldset.querySelector("template.row-template");
    var add = fieldset.querySelector(".add-row");
    var tbody = table.tBodies[0];
    var max = parseInt(table.getAttribute("data-max-rows") || "200", 10);
    if (!count || !template || !add || !tbody) { return; }

    function showRemoveButtons(scope) {
      Array.prototype.forEach.call(scope.querySelectorAll("button.remove-row"), function (b) {
        b.hidden = false;
      });
    }

    function addRow() {
      var index = parseInt(count.value || "0", 10);
      if (index >= max) { return null; }
      var html = template.innerHTML
        .split("__i__").join(String(index))
        .split("__n__").join(String(tbody.rows.length + 1));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.rows[0];
      tbody.appendChild(row);
      count.value = String(index + 1);
      showRemoveButtons(row);
      renumber(tbody);
      return row;
    }

    showRemoveButtons(tbody);
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var row = addRow();
      if (row) {
        var first = row.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      }
    });
    tbody.addEventListener("click", function (event) {
      var button = event.target.closest("button.remove-row");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest("tr");
      var next = row.nextElementSibling || row.previousElementSibling;
      // The row's fields go with it; its index stays unused (the server skips empty rows).
      row.parentNode.removeChild(row);
      if (!tbody.rows.length) { next = addRow(); }
      renumber(tbody);
      var target = next && next.querySelector("button.remove-row, input, select");
      (target || add).focus();
    });
  }

  var ALLOWED = ["pdf", "docx", "xlsx", "png", "jpg", "jpeg"];

  function checkFiles(input) {
    var message = document.getElementById("err-" + input.id + "-js");
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var problem = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (problem) { return; }
      var ext = file.name.indexOf(".") >= 0 ? file.name.split(".").pop().toLowerCase() : "";
      if (ALLOWED.indexOf(ext) < 0) {
        problem = (input.getAttribute("data-wrong-type") || "").replace("{name}", file.name);
      } else if (max && file.size > max) {
        problem = (input.getAttribute("data-too-big") || "").replace("{name}", file.name);
      }
    });
    if (!message) { return; }
    if (problem) {
      input.value = "";  // nothing else on the form is touched
      message.textContent = problem;
      message.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", message.id);
      input.focus();
    } else {
      message.hidden = true;
      message.textContent = "";
      if (!document.getElementById("err-" + input.id)) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.growing"), growing);
    Array.prototype.forEach.call(
      document.querySelectorAll("input[type=file][data-max-bytes]"),
      function (input) {
        input.addEventListener("change", function () { checkFiles(input); });
      }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
