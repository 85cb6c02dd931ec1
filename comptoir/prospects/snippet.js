/* Comptoir website snippet (TOOL-6): page views of this site, sent to its Comptoir.
 *
 *   <script>window.comptoir=window.comptoir||function(){(comptoir.q=comptoir.q||[]).push(arguments)};</script>
 *   <script async src="__SCRIPT__"></script>
 *
 *   comptoir('consent', true)      the visitor agreed: a first-party cookie keeps a random id
 *   comptoir('consent', false)     withdrawn: the cookie is removed
 *   comptoir('identify', 'a@b.fr') this visitor is this contact
 *   comptoir('page')               a page view (single-page applications)
 *
 * Nothing is sent when the browser says Do Not Track or Global Privacy Control. Without
 * consent, page views are sent without any id and nothing is stored in the browser. */
(function () {
  "use strict";
  var w = window, d = document, n = navigator;
  if (w.__comptoirSnippet) { return; }
  w.__comptoirSnippet = true;
  var ENDPOINT = "__ENDPOINT__";
  var COOKIE = "_cmp_vid";
  var HINT = "_cmp";
  var MAX_EVENTS = 20;
  var blocked = n.doNotTrack === "1" || n.doNotTrack === "yes" || w.doNotTrack === "1" ||
    n.msDoNotTrack === "1" || n.globalPrivacyControl === true;
  var me = d.currentScript;
  var email = "", hint = "", queue = [], timer = null;

  function readCookie() {
    var m = d.cookie.match(/(?:^|;\s*)_cmp_vid=([A-Za-z0-9_-]{22})(?:;|$)/);
    return m ? m[1] : "";
  }
  // The cookie exists only once consent was given: its presence is that consent, kept.
  var consent = !!(me && me.getAttribute("data-consent") === "granted") || readCookie() !== "";
  function writeCookie(value, age) {
    d.cookie = COOKIE + "=" + value + "; Max-Age=" + age + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  function newId() {
    var bytes = new Uint8Array(16), text = "";
    (w.crypto || w.msCrypto).getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function visitor() {
    if (!consent) { return ""; }
    var id = readCookie();
    if (!id) { id = newId(); }
    writeCookie(id, 34128000); // 13 months, renewed on every visit
    return id;
  }
  function readHint() {
    try {
      var url = new URL(location.href);
      var value = url.searchParams.get(HINT);
      if (value) {
        hint = value.slice(0, 40);
        url.searchParams.delete(HINT);
        if (w.history && history.replaceState) { history.replaceState(history.state, "", url.toString()); }
      }
    } catch (e) { /* an old browser: no hint */ }
  }
  function flush() {
    timer = null;
    if (blocked || (!queue.length && !email && !hint)) { return; }
    var body = JSON.stringify({ v: visitor(), h: hint, i: email, e: queue.splice(0, MAX_EVENTS) });
    hint = ""; email = "";
    var sent = false;
    try { sent = n.sendBeacon && n.sendBeacon(ENDPOINT, body); } catch (e) { sent = false; }
    if (!sent && w.fetch) {
      fetch(ENDPOINT, { method: "POST", body: body, keepalive: true, mode: "no-cors",
        credentials: "omit", headers: { "Content-Type": "text/plain" } }).catch(function () {});
    }
    if (queue.length) { schedule(0); }
  }
  function schedule(ms) {
    if (timer === null) { timer = setTimeout(flush, ms); }
  }
  function page() {
    if (blocked) { return; }
    queue.push({ u: location.href.slice(0, 2048), r: d.referrer.slice(0, 2048), t: (d.title || "").slice(0, 300) });
    if (queue.length > MAX_EVENTS * 5) { queue.shift(); }
    schedule(400); // a consent given right after the page loads comes with its first view
  }
  function call(args) {
    var what = args[0];
    if (what === "consent") {
      consent = !!args[1];
      if (consent && !blocked) { visitor(); } else if (!consent) { writeCookie("", 0); }
    } else if (what === "identify") {
      if (typeof args[1] === "string" && args[1].length <= 254) { email = args[1]; schedule(400); }
    } else if (what === "page") {
      page();
    }
  }
  var pending = (w.comptoir && w.comptoir.q) || [];
  w.comptoir = function () { call(arguments); };
  readHint();
  for (var i = 0; i < pending.length; i++) { call(pending[i]); }
  page();
  d.addEventListener("visibilitychange", function () {
    if (d.visibilityState === "hidden" && timer !== null) { clearTimeout(timer); flush(); }
  });
  w.addEventListener("pagehide", function () {
    if (timer !== null) { clearTimeout(timer); flush(); }
  });
})();
