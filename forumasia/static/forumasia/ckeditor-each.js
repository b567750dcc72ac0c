/* forumasiaEachEditor(setUp): calls setUp(editor) once for every CKEditor on the page, those
   already made and those made later (inline forms). Loaded before CKEditor itself, so it waits
   for window.CKEDITOR. Used by ckeditor-csrf.js and ckeditor-notices.js. */
(function () {
  "use strict";

  window.forumasiaEachEditor = function (setUp) {
    var done = new WeakSet();
    function once(editor) {
      if (done.has(editor)) return;
      done.add(editor);
      setUp(editor);
    }
    (function wire() {
      if (!window.CKEDITOR) {
        window.setTimeout(wire, 20);
        return;
      }
      window.CKEDITOR.on("instanceCreated", function (event) { once(event.editor); });
      Object.keys(window.CKEDITOR.instances).forEach(function (name) {
        once(window.CKEDITOR.instances[name]);
      });
    })();
  };
})();
