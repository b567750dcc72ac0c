/* The publication form writes in the publication's language: the body editor (CKEditor's
   contentsLanguage and contentsLangDirection), the title, standfirst and co-signers take the
   language chosen in the Language field and its direction, at once when it changes. An Urdu
   statement is typed right to left from its first word.

   The directions come from the server (data-directions on the select: Publication's own
   language_direction), so this file and the public pages never disagree. Loaded as a file
   from the admin's Media after ckeditor-each.js: no inline script under the admin's CSP. */
(function () {
  "use strict";

  var FIELDS = ["id_title", "id_standfirst", "id_co_signers"];

  function select() {
    return document.getElementById("id_language");
  }

  function chosen() {
    var field = select();
    if (!field || !field.value) return null;
    var directions = JSON.parse(field.getAttribute("data-directions") || "{}");
    return { lang: field.value, dir: directions[field.value] || "ltr" };
  }

  // The editing frame's document is rebuilt from the config (on load, after Source mode);
  // the attributes are set on the live document too, so a change needs no reload.
  function applyToEditor(editor, language) {
    editor.config.contentsLanguage = language.lang;
    editor.config.contentsLangDirection = language.dir;
    if (editor.mode !== "wysiwyg" || !editor.document) return;
    var root = editor.document.getDocumentElement();
    root.setAttribute("lang", language.lang);
    root.setAttribute("dir", language.dir);
    var editable = editor.editable();
    editable.setAttribute("dir", language.dir);
    editable.removeClass(language.dir === "rtl" ? "cke_contents_ltr" : "cke_contents_rtl");
    editable.addClass("cke_contents_" + language.dir);
  }

  function applyToFields(language) {
    FIELDS.forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) return;
      field.setAttribute("lang", language.lang);
      field.setAttribute("dir", language.dir);
    });
  }

  function bodyEditors() {
    var body = window.CKEDITOR && window.CKEDITOR.instances.id_body;
    return body ? [body] : [];
  }

  window.forumasiaEachEditor(function (editor) {
    if (editor.name !== "id_body") return;
    function follow() {
      var language = chosen();
      if (language) applyToEditor(editor, language);
    }
    // Now, again once the configuration is read (before the frame is first written), and on
    // every return to the editing view.
    follow();
    editor.on("configLoaded", follow);
    editor.on("mode", follow);
  });

  function update() {
    var language = chosen();
    if (!language) return;
    applyToFields(language);
    bodyEditors().forEach(function (editor) { applyToEditor(editor, language); });
  }

  function start() {
    var field = select();
    if (!field) return;
    update();
    field.addEventListener("change", update);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
