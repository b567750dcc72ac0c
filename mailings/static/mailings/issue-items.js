/* Order of an issue's publications (admin): each row gets Move up / Move down buttons, and the
   position fields are renumbered from the rows' order after every move and when the form is
   sent. Without script, staff type the positions. A static file, no inline script: it runs
   under the admin's Content-Security-Policy. */
(function () {
  "use strict";

  function rows(tbody) {
    return Array.from(tbody.querySelectorAll("tr.form-row:not(.empty-form)")).filter(
      function (row) { return row.querySelector("input.item-position"); }
    );
  }

  // Rows left without a publication (the blank row for adding one) keep their number: a
  // changed number would make the admin check an empty row.
  function renumber(tbody) {
    rows(tbody).filter(function (row) {
      var chosen = row.querySelector("select[name$='-publication']");
      return chosen && chosen.value;
    }).forEach(function (row, index) {
      row.querySelector("input.item-position").value = String(index + 1);
    });
  }

  function addButtons(row) {
    var input = row.querySelector("input.item-position");
    if (!input || row.querySelector(".item-move")) {
      return;
    }
    [["item-up", "Move up", "↑"], ["item-down", "Move down", "↓"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "item-move " + spec[0];
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.textContent = spec[2];
      input.after(button);
      input = button;
    });
  }

  function setUp() {
    document.querySelectorAll("#items-group tbody").forEach(function (tbody) {
      rows(tbody).forEach(addButtons);
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("formset:added", function (event) {
    addButtons(event.target);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".item-up, .item-down");
    if (!button) {
      return;
    }
    var row = button.closest("tr");
    var list = rows(row.parentNode);
    var other = list[list.indexOf(row) + (button.classList.contains("item-up") ? -1 : 1)];
    if (!other) {
      return;
    }
    if (button.classList.contains("item-up")) {
      other.before(row);
    } else {
      other.after(row);
    }
    renumber(row.parentNode);
    button.focus();
  });

  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("#items-group tbody").forEach(renumber);
  });
})();
