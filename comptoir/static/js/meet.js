// The public booking pages (TOOL-7): the visitor's time zone, focus, the widget's height.
(() => {
  // The times are shown in the browser's time zone unless the visitor chose one (tz in the
  // address): the page is asked again with it, once.
  const zone = document.querySelector("[data-meet-zone] select[name=tz]");
  const params = new URLSearchParams(window.location.search);
  if (zone && !params.has("tz")) {
    let detected = "";
    try {
      detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      detected = "";
    }
    const known = [...zone.options].some((option) => option.value === detected);
    if (known && detected !== zone.dataset.currentZone) {
      params.set("tz", detected);
      window.location.replace(`${window.location.pathname}?${params}`);
      return;
    }
  }
  if (zone) zone.addEventListener("change", () => zone.form.submit());

  // An error or a confirmation takes the focus, so that a screen reader says it first.
  const focus = document.querySelector("[data-meet-focus]");
  if (focus) focus.focus();

  // Inside the widget's iframe: tell the page around it how tall this one is.
  if (document.body.hasAttribute("data-meet-embed") && window.parent !== window) {
    const tell = () => {
      const height = document.documentElement.scrollHeight;
      window.parent.postMessage({ comptoirMeetHeight: height }, "*");
    };
    tell();
    if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
    window.addEventListener("load", tell);
  }
})();
