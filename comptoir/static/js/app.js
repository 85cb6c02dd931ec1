// Small behaviours of the shell; everything else is htmx attributes in the templates.
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
  // Close open menus when clicking elsewhere.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
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

// Bulk selection: show the bulk bar when rows are checked.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-select-all]")) {
    document.querySelectorAll("input[name=ids]").forEach((box) => { box.checked = event.target.checked; });
  }
  if (event.target.matches("[data-select-all], input[name=ids]")) {
    const count = document.querySelectorAll("input[name=ids]:checked").length;
    const bar = document.getElementById("bulkbar");
    if (bar) {
      bar.classList.toggle("active", count > 0);
      bar.querySelector("[data-count]").textContent = count;
    }
  }
});

// Dialogs opened from the server (htmx swaps a <dialog data-autoopen>).
document.addEventListener("htmx:afterSwap", () => {
  document.querySelectorAll("dialog[data-autoopen]:not([open])").forEach((d) => d.showModal());
});

// ---- Deals board (UI-5) and tasks page (UI-6) ----------------------------------------------
// Board: cards move by drag and drop (SortableJS) or through the stage dialog; both post the
// same form to the server, which answers with the two re-rendered columns, or with an error
// (the card goes back where it was).
(function () {
  const ERROR_STATUSES = [404, 409, 422];

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function announce(text, isError) {
    const live = document.getElementById("board-status");
    if (!live) return;
    live.textContent = "";
    live.classList.toggle("error", Boolean(isError));
    live.style.animation = "none";
    // A fresh text node so that screen readers announce a repeated message too (and the
    // toast's fade-out starts again).
    window.setTimeout(() => {
      live.style.animation = "";
      live.textContent = text;
    }, 30);
  }

  function swapColumns(doc) {
    doc.querySelectorAll(".board-column").forEach((column) => {
      const current = document.getElementById(column.id);
      if (current) {
        current.replaceWith(column);
        initColumn(column);
      }
    });
    const summary = doc.getElementById("board-summary");
    const current = document.getElementById("board-summary");
    if (summary && current) current.replaceWith(summary);
  }

  async function moveDeal(board, dealId, fromStage, toStage, revert) {
    const body = new FormData();
    body.append("deal", dealId);
    body.append("from", fromStage);
    body.append("stage", toStage);
    board.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(board.dataset.moveUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    } catch (error) {
      revert();
      board.removeAttribute("aria-busy");
      announce(board.dataset.networkError, true);
      return;
    }
    const html = await response.text();
    board.removeAttribute("aria-busy");
    if (!response.ok) revert();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const message = doc.querySelector("[data-board-message]");
    if (response.ok || ERROR_STATUSES.includes(response.status)) swapColumns(doc);
    announce(message ? message.textContent.trim() : response.statusText, !response.ok);
    if (board.dataset.keyboard) {
      // Keyboard and touch moves: focus follows the card to its new column.
      delete board.dataset.keyboard;
      document.getElementById(`card-${dealId}`)?.querySelector("[data-move]")?.focus();
    }
  }

  function initColumn(column) {
    const list = column.querySelector(".board-cards");
    const board = column.closest("[data-board]");
    if (!list || !board || typeof Sortable === "undefined" || list.dataset.sortable) return;
    list.dataset.sortable = "1";
    Sortable.create(list, {
      group: "deals",
      sort: false,
      animation: 150,
      draggable: ".deal-card",
      filter: ".card-move",
      preventOnFilter: false,
      delay: 180,
      delayOnTouchOnly: true,
      ghostClass: "dragging",
      onEnd(event) {
        if (event.from === event.to) return;
        const card = event.item;
        const from = event.from;
        const oldIndex = event.oldIndex;
        const revert = () => from.insertBefore(card, from.children[oldIndex] || null);
        moveDeal(board, card.dataset.deal, card.dataset.stage, event.to.dataset.stage, revert);
      },
    });
  }

  function initBoard() {
    const board = document.querySelector("[data-board]");
    if (!board) return;
    board.querySelectorAll(".board-column").forEach(initColumn);
    const dialog = document.getElementById("move-dialog");
    if (!dialog) return;
    board.addEventListener("click", (event) => {
      const trigger = event.target.closest("[data-move]");
      if (!trigger) return;
      event.preventDefault();
      const card = trigger.closest(".deal-card");
      const form = dialog.querySelector("form");
      form.elements.deal.value = card.dataset.deal;
      form.elements.from.value = card.dataset.stage;
      dialog.querySelector("[data-move-name]").textContent = card.dataset.name;
      form.querySelectorAll("input[name=stage]").forEach((radio) => {
        radio.checked = radio.value === card.dataset.stage;
      });
      dialog.returnFocusTo = trigger;
      dialog.showModal();
      form.querySelector("input[name=stage]:checked")?.focus();
    });
    dialog.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target;
      const choice = form.querySelector("input[name=stage]:checked");
      const dealId = form.elements.deal.value;
      const fromStage = form.elements.from.value;
      dialog.close();
      if (!choice || choice.value === fromStage) return;
      const card = document.getElementById(`card-${dealId}`);
      const target = document.querySelector(`.board-cards[data-stage="${CSS.escape(choice.value)}"]`);
      let revert = () => {};
      if (card && target) {
        const from = card.parentElement;
        const next = card.nextElementSibling;
        target.prepend(card);
        revert = () => from.insertBefore(card, next);
      }
      board.dataset.keyboard = "1";
      moveDeal(board, dealId, fromStage, choice.value, revert);
    });
    dialog.addEventListener("close", () => {
      if (dialog.returnFocusTo && document.contains(dialog.returnFocusTo)) {
        dialog.returnFocusTo.focus();
      }
    });
  }

  // Dialogs rendered with the page (?create=1, ?edit=<id>) open on load too.
  function openPageDialogs() {
    document.querySelectorAll("dialog[data-autoopen]:not([open])").forEach((d) => d.showModal());
    // On a phone, filter panels start folded unless a filter is on.
    if (window.matchMedia("(max-width: 760px)").matches) {
      document.querySelectorAll("details[data-collapse-mobile]:not([data-active])")
        .forEach((d) => { d.open = false; });
    }
  }

  // app.js is deferred and SortableJS comes after it: wait for every deferred script.
  if (document.readyState === "complete") {
    initBoard();
    openPageDialogs();
    focusTaskDialog();
  } else {
    document.addEventListener("DOMContentLoaded", () => {
      initBoard();
      openPageDialogs();
      focusTaskDialog();
    });
  }

  // The task dialog starts on its first invalid field, else on the title.
  function focusTaskDialog() {
    const dialog = document.getElementById("task-dialog");
    if (!dialog || !dialog.open) return;
    (dialog.querySelector("[aria-invalid=true]") || dialog.querySelector("#field-hs_task_subject"))
      ?.focus();
  }
  document.addEventListener("htmx:afterSwap", focusTaskDialog);

  // A new message in a toast live region shows it again (the fade-out starts over).
  document.addEventListener("htmx:oobAfterSwap", (event) => {
    const target = event.detail.target;
    if (target && target.classList.contains("board-status")) {
      target.style.animation = "none";
      void target.offsetWidth;
      target.style.animation = "";
    }
  });

  // Task dialog: pick associated records from the as-you-type results.
  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-assoc-add]");
    if (add) {
      const picker = add.closest("[data-assoc-picker]");
      const chips = picker.querySelector("[data-assoc-chips]");
      const value = add.dataset.assocAdd;
      const taken = [...chips.querySelectorAll("input[name=assoc]")].some((i) => i.value === value);
      if (!taken) {
        const li = document.createElement("li");
        li.className = "assoc-chip";
        const input = Object.assign(document.createElement("input"),
          { type: "hidden", name: "assoc", value });
        const text = document.createElement("span");
        const kind = Object.assign(document.createElement("span"),
          { className: "muted", textContent: add.dataset.assocKind });
        text.append(kind, " ", add.dataset.assocName);
        const remove = Object.assign(document.createElement("button"),
          { type: "button", className: "btn btn-link", textContent: "×" });
        remove.dataset.assocRemove = "";
        remove.setAttribute("aria-label", `${picker.dataset.removeLabel} ${add.dataset.assocName}`);
        li.append(input, text, remove);
        chips.append(li);
      }
      const search = picker.querySelector("[data-assoc-search]");
      search.value = "";
      picker.querySelector("#assoc-results").innerHTML = "";
      search.focus();
      return;
    }
    const remove = event.target.closest("[data-assoc-remove]");
    if (remove) {
      const picker = remove.closest("[data-assoc-picker]");
      remove.closest("li").remove();
      picker?.querySelector("[data-assoc-search]")?.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    // Enter in the association search picks the first result instead of submitting.
    if (event.key === "Enter" && event.target.matches("[data-assoc-search]")) {
      event.preventDefault();
      event.target.closest("[data-assoc-picker]")?.querySelector("[data-assoc-add]")?.click();
    }
  });
})();

// ==== Record page (UI-3, UI-4, ACT-1): inline edit, composer, timeline, association cards ====
(() => {
  const FIELDS = "input:not([type=hidden]), select, textarea, [contenteditable=true]";

  // A server-opened dialog (history) is gone once closed, or the next swap would reopen it.
  document.addEventListener("close", (event) => {
    if (event.target.matches?.("dialog[data-autoopen]")) event.target.remove();
  }, true);

  // Focus where the user expects it after a swap.
  document.addEventListener("htmx:afterSettle", () => {
    const marked = document.querySelector("[data-autofocus]");
    if (marked) {
      marked.removeAttribute("data-autofocus");
      marked.focus({ preventScroll: false });
    }
    document.querySelectorAll("form[data-inline-edit]:not([data-ready])").forEach((form) => {
      form.dataset.ready = "1";
      const field = form.querySelector("[aria-invalid=true]") || form.querySelector(FIELDS);
      if (field) {
        field.focus();
        if (field.select && field.type !== "number" && field.tagName !== "SELECT") field.select();
      }
    });
    document.querySelectorAll("form.composer-form:not([data-ready])").forEach((form) => {
      form.dataset.ready = "1";
      const invalid = form.querySelector("[aria-invalid=true]");
      if (invalid) invalid.focus();
      else if (form.hasAttribute("data-focus-first")) form.querySelector(FIELDS)?.focus();
    });
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.composer-form").forEach((form) => { form.dataset.ready = "1"; });
  });

  // Inline edit: Escape cancels, Ctrl+Enter saves a textarea.
  document.addEventListener("keydown", (event) => {
    const form = event.target.closest?.("form[data-inline-edit]");
    if (form && event.key === "Escape") {
      event.preventDefault();
      form.querySelector("[data-cancel-edit]")?.click();
      return;
    }
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    // The association search box: Enter must not submit the "add" form empty.
    if (event.key === "Enter" && event.target.matches?.("[data-assoc-search]")) {
      event.preventDefault();
      return;
    }
    const panel = event.target.closest?.("details.assoc-add[open]");
    if (panel && event.key === "Escape") {
      panel.removeAttribute("open");
      panel.querySelector("summary")?.focus();
    }
  });

  // Composer tabs (WAI-ARIA tabs pattern) and the quick actions that open them.
  function selectTab(kind, focusField) {
    const tab = document.getElementById(`composer-tab-${kind}`);
    if (!tab) return false;
    tab.parentElement.querySelectorAll("[role=tab]").forEach((other) => {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
    if (focusField) {
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      document.getElementById("composer")?.scrollIntoView({ block: "nearest", behavior: "smooth" });
      panel?.querySelector(FIELDS)?.focus({ preventScroll: true });
    }
    return true;
  }
  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-composer-tab]");
    if (tab) selectTab(tab.dataset.composerTab, false);
    const quick = event.target.closest("[data-compose]");
    if (quick && selectTab(quick.dataset.compose, true)) event.preventDefault();
    const rich = event.target.closest("[data-rich]");
    if (rich) {
      event.preventDefault();
      const editor = rich.closest(".field")?.querySelector("[data-rich-editor]");
      if (!editor) return;
      editor.focus();
      if (rich.dataset.rich === "createLink") {
        const url = window.prompt(rich.dataset.prompt || "URL", "https://");
        if (url && /^(https?:|mailto:|tel:)/i.test(url)) document.execCommand("createLink", false, url);
      } else {
        document.execCommand(rich.dataset.rich, false, null);
      }
      syncEditor(editor);
    }
  });
  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest?.("[role=tab][data-composer-tab]");
    if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const tabs = [...tab.parentElement.querySelectorAll("[role=tab]")];
    let i = tabs.indexOf(tab);
    if (event.key === "ArrowLeft") i = (i - 1 + tabs.length) % tabs.length;
    if (event.key === "ArrowRight") i = (i + 1) % tabs.length;
    if (event.key === "Home") i = 0;
    if (event.key === "End") i = tabs.length - 1;
    event.preventDefault();
    selectTab(tabs[i].dataset.composerTab, false);
    tabs[i].focus();
  });

  // The note editor: contenteditable bound to a hidden field (cleaned again by the server).
  function syncEditor(editor) {
    const input = document.getElementById(editor.dataset.richEditor);
    if (input) input.value = editor.textContent.trim() ? editor.innerHTML : "";
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches?.("[data-rich-editor]")) syncEditor(event.target);
  });
  document.addEventListener("htmx:configRequest", (event) => {
    event.detail.elt.querySelectorAll?.("[data-rich-editor]").forEach((editor) => {
      syncEditor(editor);
      const input = document.getElementById(editor.dataset.richEditor);
      if (input) event.detail.parameters[input.name] = input.value;
    });
  });

  // The timeline says it is busy while a filter or page loads.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.target?.id === "timeline") event.detail.target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", () => {
    document.getElementById("timeline")?.removeAttribute("aria-busy");
  });

  // "All properties": filter the rows as you type.
  document.addEventListener("input", (event) => {
    if (!event.target.matches?.("[data-filter-props]")) return;
    const needle = event.target.value.trim().toLowerCase();
    document.querySelectorAll(".prop-group").forEach((group) => {
      let shown = 0;
      group.querySelectorAll(".prop-row").forEach((row) => {
        const hit = !needle || row.querySelector("dt").textContent.toLowerCase().includes(needle);
        row.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      group.hidden = shown === 0;
    });
  });
})();
// ==== end of record page section ====

// ==== @mentions in the note editor (SET-7) ====
// Typing @ then letters offers active teammates (listbox under the caret, ↑ ↓ Enter/Tab,
// Escape); the pick becomes <span class="mention" data-mention="<user id>">@Name</span>.
(() => {
  let state = null; // {editor, list, node, start, end}
  let timer = null;
  let sequence = 0;

  function listOf(editor) {
    let list = document.getElementById(`${editor.id}-mentions`);
    if (!list) {
      list = document.createElement("ul");
      list.id = `${editor.id}-mentions`;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", editor.dataset.mentionLabel || "Teammates");
      list.hidden = true;
      editor.after(list);
      editor.setAttribute("aria-controls", list.id);
    }
    return list;
  }

  function typedMention(editor) {
    const selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return null;
    const node = selection.anchorNode;
    if (!node || node.nodeType !== Node.TEXT_NODE || !editor.contains(node)) return null;
    if (node.parentElement?.closest(".mention")) return null;
    const before = node.textContent.slice(0, selection.anchorOffset);
    const match = before.match(/(?:^|[\s\u00a0(])@([\p{L}\p{N}._'-]{0,30})$/u);
    if (!match) return null;
    const end = selection.anchorOffset;
    return { node, start: end - match[1].length - 1, end, query: match[1] };
  }

  function close() {
    if (!state) return;
    state.list.hidden = true;
    state.list.innerHTML = "";
    state.editor.removeAttribute("aria-activedescendant");
    state = null;
  }

  function options() {
    return state ? [...state.list.querySelectorAll("[data-mention-id]")] : [];
  }

  function select(option) {
    options().forEach((o) => o.setAttribute("aria-selected", String(o === option)));
    if (option) state.editor.setAttribute("aria-activedescendant", option.id);
  }

  async function suggest(editor) {
    const typed = typedMention(editor);
    if (!typed) { close(); return; }
    const list = listOf(editor);
    state = { editor, list, ...typed };
    const mine = ++sequence;
    let html = "";
    try {
      const response = await fetch(`${editor.dataset.mentionUrl}?q=${encodeURIComponent(typed.query)}`,
        { credentials: "same-origin", headers: { "HX-Request": "true" } });
      html = response.ok ? await response.text() : "";
    } catch (error) { html = ""; }
    if (mine !== sequence || !state || state.editor !== editor) return;
    list.innerHTML = html;
    if (!html.trim()) { close(); return; }
    // Under the caret, kept inside the field.
    const field = editor.parentElement;
    const range = document.createRange();
    range.setStart(typed.node, typed.start);
    range.setEnd(typed.node, typed.end);
    const caret = range.getBoundingClientRect();
    const box = field.getBoundingClientRect();
    list.hidden = false;
    const left = Math.max(0, Math.min(caret.left - box.left, box.width - list.offsetWidth));
    list.style.left = `${left}px`;
    list.style.top = `${caret.bottom - box.top + 4}px`;
    select(options()[0]);
  }

  function pick(option) {
    if (!state || !option) return;
    const { editor, node, start, end } = state;
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, Math.min(end, node.textContent.length));
    range.deleteContents();
    const mention = document.createElement("span");
    mention.className = "mention";
    mention.dataset.mention = option.dataset.mentionId;
    mention.contentEditable = "false";
    mention.textContent = `@${option.dataset.mentionName}`;
    range.insertNode(mention);
    const space = document.createTextNode("\u00a0");
    mention.after(space);
    const caret = document.createRange();
    caret.setStart(space, 1);
    caret.collapse(true);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(caret);
    close();
    editor.focus();
    editor.dispatchEvent(new Event("input", { bubbles: true })); // syncs the hidden field
  }

  document.addEventListener("input", (event) => {
    const editor = event.target.closest?.("[data-rich-editor][data-mention-url]");
    if (!editor) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => suggest(editor), 120);
  });

  document.addEventListener("keydown", (event) => {
    if (!state || event.target !== state.editor) return;
    const all = options();
    const current = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      select(all[(current + step + all.length) % all.length]);
    } else if ((event.key === "Enter" || event.key === "Tab") && all.length) {
      event.preventDefault();
      pick(all[Math.max(current, 0)]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  // mousedown, not click: the editor keeps its caret.
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest?.(".mention-list [data-mention-id]");
    if (option) {
      event.preventDefault();
      pick(option);
    } else if (state && !event.target.closest?.(".mention-list")) {
      close();
    }
  });
  document.addEventListener("htmx:beforeSwap", close);
})();

// ---- Call queue (TOOL-8): after a call, the next contact opens by itself ----------------------
// <p data-countdown="5" data-countdown-href="..."> counts down, then follows the link; the
// "Pause" button stops it (the link to the next contact stays).
(() => {
  const box = document.querySelector("[data-countdown]");
  if (!box) return;
  let left = parseInt(box.dataset.countdown, 10) || 0;
  const shown = box.querySelector("[data-countdown-left]");
  const timer = setInterval(() => {
    left -= 1;
    if (shown) shown.textContent = Math.max(left, 0);
    if (left <= 0) {
      clearInterval(timer);
      window.location.assign(box.dataset.countdownHref);
    }
  }, 1000);
  box.querySelector("[data-countdown-stop]")?.addEventListener("click", () => {
    clearInterval(timer);
    box.hidden = true;
  });
})();
