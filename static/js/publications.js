/* Publications: click-to-load players. Nothing is requested from YouTube, Vimeo or SoundCloud
   until the visitor presses play; then the iframe is built here (no inline script). */
(function () {
  "use strict";

  var ALLOWED_HOSTS = ["www.youtube-nocookie.com", "player.vimeo.com", "w.soundcloud.com"];

  function load(container) {
    var src = container.getAttribute("data-embed-src") || "";
    var url;
    try {
      url = new URL(src);
    } catch (error) {
      return;
    }
    if (url.protocol !== "https:" || ALLOWED_HOSTS.indexOf(url.hostname) === -1) return;
    if (url.hostname === "www.youtube-nocookie.com" || url.hostname === "player.vimeo.com") {
      url.searchParams.set("autoplay", "1");
    } else {
      url.searchParams.set("auto_play", "true");
    }
    var frame = document.createElement("iframe");
    frame.src = url.toString();
    // The fallback title comes translated from the template (no JavaScript catalogue request).
    frame.title =
      container.getAttribute("data-embed-title") || container.getAttribute("data-player-label");
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.setAttribute("allowfullscreen", "");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.loading = "eager";
    container.replaceChildren(frame);
    container.classList.add("is-loaded");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".media-embed__play");
    if (!button) return;
    var container = button.closest(".media-embed");
    if (container) load(container);
  });
})();
