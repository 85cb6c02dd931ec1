// @mentions in the record page's note editor (SET-7).
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
