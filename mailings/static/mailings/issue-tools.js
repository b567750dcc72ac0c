/* The sending buttons (admin): a form whose button has data-once is sent once, however
   often it is clicked (the server starts an issue once anyway); data-confirm asks first.
   A static file, no inline script: it runs under the admin's Content-Security-Policy. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("[data-once]");
    if (!button || !button.hasAttribute("data-once")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    var question = button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "yes";
    // Disabled after the form data is taken, so the button's own name and value still go.
    window.setTimeout(function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    }, 0);
  });
})();
