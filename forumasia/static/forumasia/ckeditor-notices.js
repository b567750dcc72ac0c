/* Tells the editor what CKEditor leaves out of a paste or of HTML typed in Source mode.

   CKEditor keeps only what its toolbar can make, so an embedded player, a script or a form
   pasted into the text would vanish without a word. This names each one in a warning, and on
   the publication form says where a video or audio goes instead. What reaches the server is
   checked again there (forumasia/sanitise.py), which refuses the save with the same names.
   The HTML is read with DOMParser: an inert document that runs no script and loads nothing. */
(function () {
  "use strict";

  var EMBEDDED = "iframe, object, embed, applet, video, audio, portal, fencedframe";
  // Not style, link or meta: copied HTML (Word, web pages) carries them for presentation, and
  // leaving them out loses nothing a reader would see.
  var NOT_PUBLISHED = "script, template, form, input, button, select, textarea, svg, math, " +
    "canvas";
  var LONGEST_NAMED = 100;

  function shortened(text) {
    return text.length <= LONGEST_NAMED ? text : text.slice(0, LONGEST_NAMED - 1) + "…";
  }

  function named(element) {
    var tag = element.localName;
    var source = element.getAttribute("src") || element.getAttribute("data");
    return "<" + tag + ">" + (source ? " from " + shortened(source) : "");
  }

  function unique(items) {
    return items.filter(function (item, index) { return items.indexOf(item) === index; });
  }

  function leftOut(html) {
    if (typeof html !== "string" || !/<[a-z]/i.test(html)) return null;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var embedded = unique([].map.call(doc.querySelectorAll(EMBEDDED), named));
    var code = unique([].map.call(doc.querySelectorAll(NOT_PUBLISHED), named));
    if (!embedded.length && !code.length) return null;
    var message = "Left out of the text: " + embedded.concat(code).join(", ") + ".";
    if (embedded.length && document.getElementById("id_video_url")) {
      message += " A YouTube, Vimeo or SoundCloud video or audio goes in the " +
        "“video or audio link” field.";
    } else {
      message += " The site does not publish embeds, scripts or forms in a text.";
    }
    return message;
  }

  function warn(editor, html) {
    var message = leftOut(html);
    // A notification's message is HTML: the names are shown as text.
    if (message) editor.showNotification(window.CKEDITOR.tools.htmlEncode(message), "warning", 0);
  }

  window.forumasiaEachEditor(function (editor) {
    var pasting = false;
    // After the clipboard plugin has read the pasted HTML (priority 1, registered when the
    // editor's plugins start, after this), before the paste filter removes anything.
    editor.on("paste", function (event) {
      pasting = true;
      warn(editor, event.data.dataValue);
    }, null, null, 2);
    editor.on("afterPaste", function () { pasting = false; });
    // HTML set otherwise: coming back from Source mode. The saved text, already clean, never
    // warns; a paste was named above.
    editor.on("toHtml", function (event) {
      if (!pasting && editor.status === "ready") warn(editor, event.data.dataValue);
    }, null, null, 1);
  });
})();
