// Sales tools > Notifications: browser notifications (Notification API) for the entries
// the feed's polling brings in, once the user allowed them.
(function () {
  "use strict";
  const button = document.querySelector("[data-browser-notifications]");
  const status = document.querySelector("[data-browser-notifications-status]");
  const feed = () => document.getElementById("activity-feed");
  let newest = Number((feed() && feed().dataset.newest) || 0);

  function supported() {
    return "Notification" in window;
  }

  function show() {
    if (!button || !status) return;
    if (!supported()) {
      button.hidden = true;
      status.textContent = button.dataset.unsupported;
    } else if (Notification.permission === "granted") {
      button.hidden = true;
      status.textContent = button.dataset.granted;
    } else if (Notification.permission === "denied") {
      button.hidden = true;
      status.textContent = button.dataset.denied;
    } else {
      button.hidden = false;
      status.textContent = "";
    }
  }

  if (button) {
    button.addEventListener("click", function () {
      if (!supported()) return;
      Promise.resolve(Notification.requestPermission()).then(show);
    });
  }
  show();

  document.addEventListener("htmx:afterSettle", function () {
    const list = feed();
    if (!list) return;
    const top = Number(list.dataset.newest || 0);
    if (top <= newest) return;
    const fresh = Array.from(list.querySelectorAll("[data-event]")).filter(
      (item) => Number(item.dataset.event) > newest
    );
    newest = top;
    if (!supported() || Notification.permission !== "granted") return;
    fresh.slice(0, 3).forEach(function (item) {
      new Notification(item.dataset.title, { tag: "comptoir-event-" + item.dataset.event });
    });
  });
})();
