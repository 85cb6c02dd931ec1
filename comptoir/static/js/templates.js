// Email templates (TOOL-3): the editor (rich body, token inserter) and the record composer's
// template picker, which fills the email form with a template rendered for the record.
(() => {
  if (window.comptoirTemplates) return; // the picker's partial may be swapped in again
  window.comptoirTemplates = true;

  // -- the editor ---------------------------------------------------------------------------
  let target = null; // the subject input or the body editor, whichever had the focus last
  let range = null; // the caret in the body editor

  function sync(editor) {
    const input = document.getElementById(editor.dataset.templateEditor);
    if (input) input.value = editor.textContent.trim() ? editor.innerHTML : "";
  }
  document.addEventListener("focusin", (event) => {
    const field = event.target.closest?.("[data-token-target]");
    if (field) target = field;
  });
  // Pressing the insert button: the field still focused is where the token goes (a field
  // focused before this script ran was not seen by focusin).
  document.addEventListener("mousedown", (event) => {
    if (!event.target.closest?.("[data-insert-token]")) return;
    const field = document.activeElement?.closest?.("[data-token-target]");
    if (field) target = field;
  });
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount) return;
    const r = selection.getRangeAt(0);
    const editor = r.commonAncestorContainer.parentElement?.closest?.("[data-template-editor]")
      || (r.commonAncestorContainer.matches?.("[data-template-editor]") ? r.commonAncestorContainer : null);
    if (editor) range = r.cloneRange();
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches?.("[data-template-editor]")) sync(event.target);
  });
  document.addEventListener("submit", (event) => {
    event.target.querySelectorAll?.("[data-template-editor]").forEach(sync);
  }, true);

  function insertToken(token) {
    const field = target || document.querySelector("[data-template-editor]");
    if (!field) return;
    if (field.matches("input, textarea")) {
      const start = field.selectionStart ?? field.value.length;
      const end = field.selectionEnd ?? start;
      field.setRangeText(token, start, end, "end");
      field.focus();
      return;
    }
    field.focus();
    const selection = document.getSelection();
    if (range && field.contains(range.commonAncestorContainer)) {
      selection.removeAllRanges();
      selection.addRange(range);
    } else {
      const end = document.createRange();
      end.selectNodeContents(field);
      end.collapse(false);
      selection.removeAllRanges();
      selection.addRange(end);
    }
    document.execCommand("insertText", false, token);
    sync(field);
  }

  document.addEventListener("click", (event) => {
    const insert = event.target.closest("[data-insert-token]");
    if (insert) {
      const select = insert.closest(".token-inserter")?.querySelector("[data-token-select]");
      if (select?.value) insertToken(select.value);
      return;
    }
    const rich = event.target.closest("[data-tpl-rich]");
    if (rich) {
      event.preventDefault();
      const editor = document.querySelector("[data-template-editor]");
      if (!editor) return;
      editor.focus();
      if (range) {
        const selection = document.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      if (rich.dataset.tplRich === "createLink") {
        const url = window.prompt(rich.dataset.prompt || "URL", "https://");
        if (url && /^(https?:|mailto:|tel:)/i.test(url)) document.execCommand("createLink", false, url);
      } else {
        document.execCommand(rich.dataset.tplRich, false, null);
      }
      sync(editor);
      return;
    }
    const use = event.target.closest("[data-use-template]");
    if (use) useTemplate(use);
  });

  // -- the composer's picker ----------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    // Enter in the picker's search box must not send the email form.
    if (event.key === "Enter" && event.target.matches?.("[data-template-search]")) event.preventDefault();
  });

  function showMissing(picker, labels, message) {
    const box = picker.querySelector("[data-template-missing]");
    const list = box.querySelector("ul");
    const title = box.querySelector("[data-template-missing-title]");
    list.replaceChildren(...labels.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    title.hidden = Boolean(message);
    if (message) {
      const item = document.createElement("li");
      item.textContent = message;
      list.replaceChildren(item);
    }
    box.hidden = !labels.length && !message;
  }

  async function useTemplate(button) {
    const picker = button.closest("[data-template-picker]");
    const form = picker.closest("form");
    const url = new URL(button.dataset.useTemplate, window.location.href);
    if (picker.dataset.recordParam && picker.dataset.recordId) {
      url.searchParams.set(picker.dataset.recordParam, picker.dataset.recordId);
    }
    let response = null;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch {
      response = null; // offline: said below like any refusal
    }
    if (!response?.ok) {
      showMissing(picker, [], picker.dataset.error);
      return;
    }
    const data = await response.json();
    // The log form's fields (hs_email_*) or the send form's (subject, body).
    const subject = form.querySelector("[name=hs_email_subject], [name=subject]");
    if (subject) subject.value = data.subject;
    const editor = form.querySelector("[data-rich-editor]");
    if (editor) {
      editor.innerHTML = data.html; // cleaned by the server (nh3) after filling in
      const input = document.getElementById(editor.dataset.richEditor);
      if (input) input.value = data.html;
    } else {
      const body = form.querySelector("[name=hs_email_html], [name=hs_email_text]");
      if (body) body.value = body.name === "hs_email_html" ? data.html : data.text;
    }
    const chosen = picker.querySelector("[data-template-id]");
    if (chosen) chosen.value = data.id; // the email records which template it came from
    showMissing(picker, data.missing_labels, "");
    picker.querySelector("details")?.removeAttribute("open");
    (subject || editor)?.focus();
  }
})();
