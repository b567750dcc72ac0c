/* CKEditor 4 under a strict Content-Security-Policy (script-src 'self', no 'unsafe-inline').

   CKEditor 4 writes its toolbar, menus and dialogs as HTML strings with inline event handlers
   (onclick="CKEDITOR.tools.callFunction(12,this);return false;"). Our admin CSP forbids
   inline handlers, so the browser would refuse them and the toolbar would be dead. This shim,
   loaded before CKEditor, rewrites those attributes *before the HTML reaches the DOM* into
   data-cke-on<event> attributes and runs them from one delegated listener per event type.

   Frames CKEditor writes itself (the editing area, floating panels such as the Format list
   and context menus, the Image dialog's file field) are written through the same rewrite; the
   inline scripts and the body onload they carry to say "loaded" are taken out and their calls
   made from here. The buttons' href="javascript:void(...)" are never followed: every one has a
   handler that returns false or a listener that prevents the default
   (tests/e2e/test_editor_dialogs.py clicks each kind).

   It never evaluates code: only CKEditor's own small handler vocabulary is understood
   (CKEDITOR.tools.callFunction with numbers, strings, null, this and event; `return false`;
   the left-mouse-button guard). Any other inline handler is left as it is, so the CSP still
   blocks it and reports it: the policy stays the security boundary.
*/
(function () {
  "use strict";

  var EVENTS = [
    "click", "mousedown", "mouseup", "mouseover", "mouseout", "keydown", "keypress",
    "focus", "blur", "dragstart",
  ];
  var KNOWN = /^(?:\s*(?:return\s+)?(?:CKEDITOR\.tools\.getMouseButton\(event\)\s*={2,3}\s*CKEDITOR\.MOUSE_BUTTON_LEFT\s*&&\s*)?(?:CKEDITOR\.tools\.callFunction\([^()]*\)|false)\s*;?|\s*this\.style\.cssText\s*=\s*this\.style\.cssText\s*;?)+\s*$/;
  var HANDLER_ATTR = /(\s)on(click|mousedown|mouseup|mouseover|mouseout|keydown|keypress|focus|blur|dragstart)=("([^"]*)"|'([^']*)')/gi;

  // Frames CKEditor fills itself (the Image dialog's file field) start at a javascript: URL
  // that does nothing; the CSP refuses to run it. about:blank is the same empty document.
  var EMPTY_FRAME_SRC = /(\ssrc=)(["'])javascript:void\(0\)\2/gi;

  function rewrite(html) {
    if (typeof html !== "string") return html;
    return html.replace(EMPTY_FRAME_SRC, "$1$2about:blank$2").replace(
      HANDLER_ATTR,
      function (whole, space, type, quoted, dq, sq) {
        var code = dq !== undefined ? dq : sq;
        var decoded = code.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
        if (!KNOWN.test(decoded)) return whole;
        return space + "data-cke-on" + type.toLowerCase() + "=" + quoted;
      }
    );
  }

  function parseArgs(text, element, event) {
    var args = [];
    var re = /\s*(?:(-?\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|(this|event|null|undefined|true|false))\s*(?:,|$)/g;
    var match;
    while ((match = re.exec(text)) && match[0] !== "") {
      if (match[1] !== undefined) args.push(Number(match[1]));
      else if (match[2] !== undefined) args.push(match[2]);
      else if (match[3] !== undefined) args.push(match[3]);
      else args.push({ "this": element, event: event, "null": null, "undefined": undefined, "true": true, "false": false }[match[4]]);
    }
    return args;
  }

  // Runs CKEditor's handler vocabulary; returns false when the handler would return false.
  function run(code, element, event) {
    var statements = code.split(";");
    for (var i = 0; i < statements.length; i++) {
      var statement = statements[i].trim();
      if (!statement || /^this\.style\.cssText/.test(statement)) continue;
      var returns = /^return\s+/.test(statement);
      statement = statement.replace(/^return\s+/, "");
      if (statement === "false") return false;
      var guard = /^CKEDITOR\.tools\.getMouseButton\(event\)\s*={2,3}\s*CKEDITOR\.MOUSE_BUTTON_LEFT\s*&&\s*/;
      if (guard.test(statement)) {
        if (window.CKEDITOR.tools.getMouseButton(event) !== window.CKEDITOR.MOUSE_BUTTON_LEFT) continue;
        statement = statement.replace(guard, "");
      }
      var call = /^CKEDITOR\.tools\.callFunction\(([^()]*)\)$/.exec(statement);
      if (!call) continue;
      var result = window.CKEDITOR.tools.callFunction.apply(
        window.CKEDITOR.tools, parseArgs(call[1], element, event)
      );
      if (returns) return result;
    }
    return undefined;
  }

  // The editing iframe is written with an inline <script id="cke_actscrpt"> that tells the
  // editor the frame has loaded; the CSP refuses it, so the editor would never become ready.
  // Take the script out and make the same call once the frame's document is written.
  var ACTSCRIPT = /<script id="cke_actscrpt"[^>]*>[\s\S]*?callFunction\((\d+),window\)[\s\S]*?<\/script>/;
  // Floating panels (the Format list, context menus) are frames written with
  // <body onload="window.parent.CKEDITOR.tools.callFunction(N);">, which tells the panel it is
  // ready. The handler is taken out of the HTML and called when the frame has loaded.
  var BODY_ONLOAD = /(<body\b[^>]*?)\sonload="window\.parent\.CKEDITOR\.tools\.callFunction\((\d+)\);"/;
  function callOnLoad(frameWindow, handler) {
    function call() {
      window.CKEDITOR.tools.callFunction(handler);
    }
    if (frameWindow.document.readyState === "complete") window.setTimeout(call, 0);
    else frameWindow.addEventListener("load", call, { once: true });
  }
  function patchWrite() {
    if (!window.CKEDITOR || !window.CKEDITOR.dom || !window.CKEDITOR.dom.document) {
      window.setTimeout(patchWrite, 5);
      return;
    }
    var proto = window.CKEDITOR.dom.document.prototype;
    var write = proto.write;
    proto.write = function (html) {
      var frameWindow = this.$.defaultView;
      if (typeof html !== "string") {
        write.call(this, html);
        install(frameWindow);
        return undefined;
      }
      var actscript = ACTSCRIPT.exec(html);
      var onload = BODY_ONLOAD.exec(html);
      write.call(this, rewrite(html.replace(ACTSCRIPT, "").replace(BODY_ONLOAD, "$1")));
      install(frameWindow);
      if (onload) callOnLoad(frameWindow, Number(onload[2]));
      if (actscript) {
        window.setTimeout(function () {
          window.CKEDITOR.tools.callFunction(Number(actscript[1]), frameWindow);
        }, 0);
      }
      return undefined;
    };
  }
  patchWrite();

  // The Image dialog's Upload tab writes its file field into a frame together with an inline
  // script that tells the dialog the form has loaded, and will unload; the CSP refuses it.
  // Write the same document without that script and make those two calls from here. Only
  // CKEditor's exact script is understood; anything else is written as it is (and refused).
  var FILE_FORM_SCRIPT = /<script>window\.parent\.CKEDITOR\.tools\.callFunction\((\d+)\);window\.onbeforeunload = function\(\) \{window\.parent\.CKEDITOR\.tools\.callFunction\((\d+)\)\}<\/script>$/;
  function patchFileField() {
    var file = window.CKEDITOR.ui.dialog && window.CKEDITOR.ui.dialog.file;
    if (!file || file.prototype.__cspShim) return;
    file.prototype.__cspShim = true;
    var reset = file.prototype.reset;
    file.prototype.reset = function () {
      var frameDocument = window.CKEDITOR.document.getById(this._.frameId).getFrameDocument().$;
      var write = frameDocument.write;
      // Set on the document itself, for the one write reset() makes (at once, or later).
      frameDocument.write = function (html) {
        delete frameDocument.write;
        var match = typeof html === "string" ? FILE_FORM_SCRIPT.exec(html) : null;
        if (!match) return write.call(frameDocument, html);
        write.call(frameDocument, html.replace(FILE_FORM_SCRIPT, ""));
        var tools = window.CKEDITOR.tools;
        frameDocument.defaultView.onbeforeunload = function () {
          tools.callFunction(Number(match[2]));
        };
        tools.callFunction(Number(match[1]));
        return undefined;
      };
      return reset.apply(this, arguments);
    };
  }
  (function wireFileField() {
    if (!window.CKEDITOR || !window.CKEDITOR.on) {
      window.setTimeout(wireFileField, 5);
      return;
    }
    window.CKEDITOR.on("dialogDefinition", patchFileField);
  })();

  var BUBBLES = { focus: false, blur: false };

  // Rewrite HTML on its way into the DOM of `win` (CKEditor inserts its UI through innerHTML,
  // in the page and in its panel/dialog iframes) and run the rewritten handlers from there.
  function install(win) {
    if (!win || win.__ckeCspShim) return;
    win.__ckeCspShim = true;
    var proto = win.Element.prototype;
    var descriptor = Object.getOwnPropertyDescriptor(proto, "innerHTML");
    Object.defineProperty(proto, "innerHTML", {
      configurable: true,
      enumerable: descriptor.enumerable,
      get: descriptor.get,
      set: function (value) { descriptor.set.call(this, rewrite(value)); },
    });
    var insertAdjacentHTML = proto.insertAdjacentHTML;
    proto.insertAdjacentHTML = function (position, html) {
      return insertAdjacentHTML.call(this, position, rewrite(html));
    };
    EVENTS.forEach(function (type) {
      var attribute = "data-cke-on" + type;
      win.document.addEventListener(type, function (event) {
        if (!window.CKEDITOR) return;
        var element = event.target;
        while (element && element.nodeType === 1) {
          var code = element.getAttribute(attribute);
          if (code !== null && run(code, element, event) === false) event.preventDefault();
          if (BUBBLES[type] === false) break;
          element = element.parentElement;
        }
      }, BUBBLES[type] === false);
    });
  }
  install(window);
})();
