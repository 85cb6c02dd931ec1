// Tasks page (UI-6): the task dialog and its association picker.
(() => {
  // The task dialog starts on its first invalid field, else on the title.
  function focusTaskDialog() {
    const dialog = document.getElementById("task-dialog");
    if (!dialog || !dialog.open) return;
    (dialog.querySelector("[aria-invalid=true]") || dialog.querySelector("#field-hs_task_subject"))
      ?.focus();
  }
  document.addEventListener("DOMContentLoaded", focusTaskDialog);
  document.addEventListener("htmx:afterSwap", focusTaskDialog);

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
