/* Sends Django's CSRF token with CKEditor's image uploads (X-CSRFToken header), so the upload
   view keeps CSRF protection. No inline script: loaded as a file from the admin's Media. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function addHeader(editor) {
    editor.config.fileTools_requestHeaders = Object.assign(
      {},
      editor.config.fileTools_requestHeaders || {},
      { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" }
    );
  }

  function wire() {
    if (!window.CKEDITOR) {
      window.setTimeout(wire, 100);
      return;
    }
    window.CKEDITOR.on("instanceReady", function (event) { addHeader(event.editor); });
    Object.keys(window.CKEDITOR.instances).forEach(function (name) {
      addHeader(window.CKEDITOR.instances[name]);
    });
  }

  wire();
})();
