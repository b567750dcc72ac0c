/* Order of the signatories inline (admin): drag a row by its handle, or press its Move up /
   Move down buttons (keyboard). Each row's hidden order field is renumbered from the rows'
   positions after every move and when the form is sent, so new rows are ordered too.
   A static file, no inline script: it runs under the admin's Content-Security-Policy. */
(function () {
  "use strict";

  function formRows(tbody) {
    return Array.from(tbody.querySelectorAll("tr.signature-row:not(.empty-form)"));
  }

  function renumber(tbody) {
    formRows(tbody).forEach(function (row, index) {
      var input = row.querySelector("input.signature-order");
      if (input) {
        input.value = String(index + 1);
      }
    });
  }

  function announce(row) {
    var tbody = row.parentNode;
    var status = tbody.closest("fieldset").querySelector(".signature-status");
    var rows = formRows(tbody);
    if (status) {
      status.textContent = "Moved to position " + (rows.indexOf(row) + 1) + " of " + rows.length + ".";
    }
  }

  function neighbour(row, step) {
    var rows = formRows(row.parentNode);
    return rows[rows.indexOf(row) + step] || null;
  }

  function move(row, step) {
    var other = neighbour(row, step);
    if (!other) {
      return false;
    }
    if (step < 0) {
      other.before(row);
    } else {
      other.after(row);
    }
    renumber(row.parentNode);
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".signature-up, .signature-down");
    if (!button) {
      return;
    }
    var row = button.closest("tr");
    if (move(row, button.classList.contains("signature-up") ? -1 : 1)) {
      button.focus();
      announce(row);
    }
  });

  var dragged = null;

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".signature-handle");
    if (!handle || event.button !== 0) {
      return;
    }
    dragged = handle.closest("tr");
    dragged.classList.add("is-dragged");
    handle.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!dragged) {
      return;
    }
    var before = neighbour(dragged, -1);
    var after = neighbour(dragged, 1);
    if (before && event.clientY < middle(before)) {
      move(dragged, -1);
    } else if (after && event.clientY > middle(after)) {
      move(dragged, 1);
    }
  });

  function middle(row) {
    var box = row.getBoundingClientRect();
    return box.top + box.height / 2;
  }

  function drop() {
    if (dragged) {
      dragged.classList.remove("is-dragged");
      announce(dragged);
      dragged = null;
    }
  }

  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);

  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll(".signatory-table tbody").forEach(renumber);
  });
})();
