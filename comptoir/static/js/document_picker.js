// The email composer's document picker (TOOL-4, documents/_composer_picker.html): choosing
// a document asks the server for a share link made for the record's contact (or the first
// "To" address) and inserts it, as a link named after the document, where the cursor is.
(() => {
  if (window.comptoirDocumentPicker) return; // the partial may be swapped in again
  window.comptoirDocumentPicker = true;
  let range = null; // the caret in a composer's editor

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount) return;
    const r = selection.getRangeAt(0);
    const node = r.commonAncestorContainer;
    const element = node.nodeType === 1 ? node : node.parentElement;
    if (element?.closest?.("[data-rich-editor]")) range = r.cloneRange();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches?.("[data-document-search]")) event.preventDefault();
  });

  function insertLink(form, url, name) {
    const editor = form.querySelector("[data-rich-editor]");
    if (!editor) {
      const body = form.querySelector("[name=hs_email_html], [name=hs_email_text], [name=body]");
      if (body) body.value = `${body.value}${body.value ? "\n" : ""}${name}: ${url}`;
      return;
    }
    editor.focus();
    const selection = document.getSelection();
    selection.removeAllRanges();
    if (range && editor.contains(range.commonAncestorContainer)) {
      selection.addRange(range);
    } else {
      const end = document.createRange();
      end.selectNodeContents(editor);
      end.collapse(false);
      selection.addRange(end);
    }
    const link = document.createElement("a");
    link.href = url;
    link.textContent = name;
    const here = selection.getRangeAt(0);
    here.deleteContents();
    here.insertNode(link);
    here.setStartAfter(link);
    here.collapse(true);
    selection.removeAllRanges();
    selection.addRange(here);
    const input = document.getElementById(editor.dataset.richEditor);
    if (input) input.value = editor.innerHTML;
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-use-document]");
    if (!button) return;
    const picker = button.closest("[data-document-picker]");
    const form = picker.closest("form");
    const error = picker.querySelector("[data-document-error]");
    const data = new URLSearchParams();
    const token = form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
    if (picker.dataset.contactId) data.set("contact", picker.dataset.contactId);
    else {
      const to = form.querySelector("[name=to]")?.value || "";
      const first = to.split(/[,;]/)[0].trim().replace(/^.*<|>$/g, "");
      if (first) data.set("email", first);
    }
    let response = null;
    try {
      response = await fetch(button.dataset.useDocument, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      });
    } catch {
      response = null;
    }
    if (!response?.ok) {
      error.textContent = picker.dataset.error;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const found = await response.json();
    picker.querySelector("details")?.removeAttribute("open");
    insertLink(form, found.url, found.name);
  });
})();
