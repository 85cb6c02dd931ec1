{% autoescape off %}/* Comptoir booking widget: inserts the booking page in an iframe that takes its height. */
(function () {
  var page = {{ page }};
  var origin = new URL(page).origin;
  var here = document.currentScript;
  var frame = document.createElement("iframe");
  frame.src = page;
  frame.title = {{ title }};
  frame.setAttribute("loading", "lazy");
  frame.style.width = "100%";
  frame.style.minHeight = "480px";
  frame.style.border = "0";
  here.parentNode.insertBefore(frame, here.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var height = event.data && event.data.comptoirMeetHeight;
    if (typeof height === "number" && height > 0 && height < 20000) frame.style.height = Math.ceil(height) + "px";
  });
})();
{% endautoescape %}
