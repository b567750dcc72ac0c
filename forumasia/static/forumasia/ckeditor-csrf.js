/* Sends Django's CSRF token with every upload the editor makes, so the upload view keeps CSRF
   protection. Pasted and dropped images (uploadimage plugin) and the Image dialog's Upload tab
   (filebrowserUploadMethod "xhr") all go through CKEditor's filetools plugin, which opens an
   XMLHttpRequest at priority 5 of its `fileUploadRequest` event and sends the FormData at
   priority 999; in between, this adds the X-CSRFToken header, read at that moment.
   No inline script: loaded as a file from the admin's Media. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function addToken(event) {
    var xhr = event.data.fileLoader.xhr;
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  }

  window.forumasiaEachEditor(function (editor) {
    editor.on("fileUploadRequest", addToken, null, null, 10);
  });
})();
