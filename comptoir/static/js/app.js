// The shell, loaded by every page (base.html): htmx answers and request errors, confirmations,
// keyboard shortcuts, the side menu, menus, dialogs and the drawer, controls that act when
// changed, values to copy, toasts. Each page area has its own file, loaded by the pages of that
// area: list.js (index tables), board.js (deals board), tasks.js (tasks page), record.js and
// mentions.js (record page), calls.js (call queue), settings.js (settings pages). Everything
// else is htmx attributes in the templates; behaviours hang on data-* attributes (the
// Content-Security-Policy forbids inline scripts and handlers).

// htmx 2 leaves 4xx answers unswapped. Ours are HTML meant for the user: a refused value
// (422), a stale record (409) or one deleted meanwhile (404, 410) is shown in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  const html = (xhr.getResponseHeader("Content-Type") || "").includes("text/html");
  if ([404, 409, 410, 422].includes(xhr.status) && html && xhr.responseText) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A request whose answer is not swapped (a server error, a busy database, a refused
// request, no network) is said in words above the page: the answer's own text when it is
// a short plain text (503 busy, 429 throttled), a general sentence otherwise.
(() => {
  const box = () => document.getElementById("request-error");
  const show = (text) => {
    const el = box();
    if (!el || !text) return;
    el.querySelector("span").textContent = text;
    el.hidden = false;
  };
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const el = box();
    if (!el) return;
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    const own = plain && xhr.responseText.length < 300 ? xhr.responseText.trim() : "";
    show(own || (xhr.status === 403 ? el.dataset.forbidden : el.dataset.server));
  });
  document.addEventListener("htmx:sendError", () => show(box()?.dataset.offline));
  document.addEventListener("htmx:beforeRequest", () => {
    const el = box();
    if (el) el.hidden = true;
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-dismiss-error]")) box().hidden = true;
  });
})();

// A destructive form asks first: its text sits in data-confirm (on the form or on the button
// that sends it), never inside inline script, where a translation's apostrophe would end
// the string. Capturing on the document runs before htmx's own submit handler.
document.addEventListener(
  "submit",
  (event) => {
    const text = event.submitter?.dataset.confirm || event.target.dataset?.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

document.addEventListener("keydown", (event) => {
  const typing = /INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName || "");
  if (event.key === "/" && !typing) {
    event.preventDefault();
    document.getElementById("global-search")?.focus();
  }
  if (event.key === "Escape") {
    const drawer = document.getElementById("drawer");
    if (drawer && drawer.innerHTML.trim()) drawer.innerHTML = "";
    document.querySelectorAll("details.menu[open]").forEach((d) => d.removeAttribute("open"));
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    const nav = document.getElementById("sidenav");
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  }
  // Close open menus when clicking elsewhere, and a menu once one of its items is chosen
  // (the dialog an item opens is not left with the menu open behind it).
  const item = event.target.closest("details.menu [role=menuitem]");
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target) || (item && menu.contains(item))) menu.removeAttribute("open");
  });
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) document.getElementById(opener.dataset.openDialog)?.showModal();
  const closer = event.target.closest("[data-close-dialog]");
  if (closer) closer.closest("dialog")?.close();
  if (event.target.closest("[data-close-drawer]")) document.getElementById("drawer").innerHTML = "";
});

// Controls that act when changed (no inline handlers: the Content-Security-Policy forbids
// them). data-autosubmit sends the control's form as its button would (htmx, data-confirm
// and validation included); data-navigate follows the URL chosen; data-set-on-change=
// "name=value" sets another field of the form (a typed date makes the period "custom").
document.addEventListener("change", (event) => {
  const control = event.target;
  if (control.matches?.("[data-autosubmit]")) control.form?.requestSubmit();
  if (control.matches?.("[data-navigate]") && control.value) window.location.assign(control.value);
  const assignment = control.dataset?.setOnChange;
  if (assignment && control.form) {
    const [name, value] = assignment.split("=");
    const field = control.form.elements.namedItem(name);
    if (field) field.value = value;
  }
});

// A value shown once (a new API token): clicking the field selects it, data-copy="<id>"
// copies that field and reveals the [data-copied] note.
document.addEventListener("click", async (event) => {
  if (event.target.matches?.("[data-select-on-click]")) event.target.select();
  const copy = event.target.closest("[data-copy]");
  const input = copy && document.getElementById(copy.dataset.copy);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch (error) {
    document.execCommand("copy");
  }
  const note = document.querySelector("[data-copied]");
  if (note) note.hidden = false;
});

// Dialogs opened from the server (htmx swaps a <dialog data-autoopen>).
document.addEventListener("htmx:afterSwap", () => {
  document.querySelectorAll("dialog[data-autoopen]:not([open])").forEach((d) => d.showModal());
});

// A server-opened dialog is gone once closed, or the next swap would reopen it.
document.addEventListener("close", (event) => {
  if (event.target.matches?.("dialog[data-autoopen]")) event.target.remove();
}, true);

// Dialogs rendered with the page (?create=1, ?edit=<id>) open on load too; on a phone, filter
// panels start folded unless a filter is on.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("dialog[data-autoopen]:not([open])").forEach((d) => d.showModal());
  if (window.matchMedia("(max-width: 760px)").matches) {
    document.querySelectorAll("details[data-collapse-mobile]:not([data-active])")
      .forEach((d) => { d.open = false; });
  }
});

// A new message in a toast live region (deals board, tasks page) shows it again (the fade-out
// starts over).
document.addEventListener("htmx:oobAfterSwap", (event) => {
  const target = event.detail.target;
  if (target && target.classList.contains("board-status")) {
    target.style.animation = "none";
    void target.offsetWidth;
    target.style.animation = "";
  }
});

// A date filter's calendar (records/_filters_dialog.html): the day picked is written into
// the text field in the user's format (31/12/2026 or 12/31/2026), where it can still be
// typed; the calendar opens on the day already typed, if any.
function typedDay(text, order) {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) return [iso[1], iso[2], iso[3]];
  const parts = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (!parts) return null;
  return order === "MONTH_DAY_YEAR" ? [parts[3], parts[1], parts[2]] : [parts[3], parts[2], parts[1]];
}
document.addEventListener("focusin", (event) => {
  const pick = event.target.closest?.("[data-date-for]");
  const field = pick && document.getElementById(pick.dataset.dateFor);
  const day = field && typedDay(field.value.trim(), pick.dataset.dayOrder);
  if (day) pick.value = `${day[0]}-${day[1].padStart(2, "0")}-${day[2].padStart(2, "0")}`;
});
document.addEventListener("click", (event) => {
  const pick = event.target.closest?.("[data-date-for]");
  if (pick && pick.showPicker) { try { pick.showPicker(); } catch (_error) { /* not allowed here */ } }
});
document.addEventListener("change", (event) => {
  const pick = event.target.closest?.("[data-date-for]");
  if (!pick || !pick.value) return;
  const field = document.getElementById(pick.dataset.dateFor);
  const [year, month, day] = pick.value.split("-");
  field.value = pick.dataset.dayOrder === "MONTH_DAY_YEAR" ? `${month}/${day}/${year}` : `${day}/${month}/${year}`;
  field.dispatchEvent(new Event("input", { bubbles: true }));
});

// A time typed in a form is the writer's own (the send form's "Send later"): the browser's
// time zone goes with it, in the hidden field marked data-browser-time-zone.
function fillTimeZones() {
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (_error) { /* unknown */ }
  document.querySelectorAll("input[data-browser-time-zone]").forEach((input) => { input.value = zone; });
}
document.addEventListener("DOMContentLoaded", fillTimeZones);
document.addEventListener("htmx:afterSettle", fillTimeZones);

// A file input with data-max-size (the send form's attachments): files weighing more in
// all are taken off before any upload, and data-too-big says why in the field's hint (the
// server checks again whatever the browser says).
document.addEventListener("change", (event) => {
  const input = event.target.closest?.("input[type=file][data-max-size]");
  if (!input) return;
  const total = [...input.files].reduce((sum, file) => sum + file.size, 0);
  const hint = document.getElementById(`${input.id}-hint`);
  if (total > Number(input.dataset.maxSize)) {
    input.value = "";
    input.setAttribute("aria-invalid", "true");
    if (hint) { hint.textContent = input.dataset.tooBig || ""; hint.setAttribute("role", "alert"); }
  } else {
    input.removeAttribute("aria-invalid");
  }
});

// Comptoir installs as an app on phones and desktops (comptoir/core/pwa.py): the service
// worker keeps the app shell and answers with the offline page when the network is gone.
const serviceWorker = document.querySelector('meta[name="comptoir-service-worker"]');
if (serviceWorker && "serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(serviceWorker.content, { scope: "/" }).catch(() => {});
  });
}
