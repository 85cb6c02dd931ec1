// Record page (UI-3, UI-4, ACT-1) and its All properties page: inline edit, composer, timeline,
// association cards.
(() => {
  const FIELDS = "input:not([type=hidden]), select, textarea, [contenteditable=true]";

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
