// Settings pages (SET-1, SET-2, SET-4): internal-name preview, the options editor, and
// lists ordered by drag and drop (SortableJS) with arrow buttons as the keyboard way.
(() => {
  // The same rule as comptoir.settings_pages.properties.internal_name.
  const internalName = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 50);

  function initCreateForm(form) {
    const label = form.querySelector("[name=label]");
    const name = form.querySelector("[name=name]");
    if (label && name) {
      let touched = Boolean(name.value) && name.value !== internalName(label.value);
      name.addEventListener("input", () => { touched = Boolean(name.value); });
      const follow = () => { if (!touched) name.value = internalName(label.value); };
      label.addEventListener("input", follow);
      follow();  // a label typed before this script ran (it is deferred) is caught up
    }
    const kind = form.querySelector("[name=kind]");
    const options = form.querySelector("[data-options]");
    if (kind && options) {
      const enumKinds = (options.dataset.enumKinds || "").split(" ");
      const sync = () => { options.hidden = !enumKinds.includes(kind.value); };
      kind.addEventListener("change", sync);
      sync();
    }
  }

  function renumber(list) {
    const rows = [...list.querySelectorAll("[data-option]")];
    rows.forEach((row, i) => {
      const n = i + 1;
      const input = row.querySelector("[name=option_label]");
      const base = list.dataset.optionLabel || "Option";
      input.setAttribute("aria-label", `${base} ${n}`);
      row.querySelector("[data-option-move='-1']").disabled = i === 0;
      row.querySelector("[data-option-move='1']").disabled = i === rows.length - 1;
    });
  }

  function initOptions(box) {
    const list = box.querySelector("[data-option-list]");
    const template = box.querySelector("[data-option-template]");
    const status = box.querySelector("[data-option-status]");
    const add = box.querySelector("[data-option-add]");
    list.dataset.optionLabel = list.querySelector("[name=option_label]")?.getAttribute("aria-label") || "Option";
    // With JavaScript, blank rows are added on demand: keep a single empty one.
    const blanks = [...list.querySelectorAll("[data-option]")]
      .filter((row) => !row.querySelector("[name=option_label]").value && !row.querySelector("[name=option_value]").value);
    blanks.slice(list.children.length > blanks.length ? 0 : 1).forEach((row) => row.remove());
    add.hidden = false;
    const say = (text) => { status.textContent = ""; window.setTimeout(() => { status.textContent = text; }, 30); };
    add.addEventListener("click", () => {
      list.append(template.content.firstElementChild.cloneNode(true));
      renumber(list);
      list.lastElementChild.querySelector("[name=option_label]").focus();
    });
    list.addEventListener("click", (event) => {
      const row = event.target.closest("[data-option]");
      if (!row) return;
      const move = event.target.closest("[data-option-move]");
      if (move) {
        const up = move.dataset.optionMove === "-1";
        const other = up ? row.previousElementSibling : row.nextElementSibling;
        if (!other) return;
        if (up) list.insertBefore(row, other); else list.insertBefore(other, row);
        renumber(list);
        move.disabled ? row.querySelector("[name=option_label]").focus() : move.focus();
        const pos = [...list.children].indexOf(row) + 1;
        say(`${row.querySelector("[name=option_label]").value} → ${pos}`);
      }
      if (event.target.closest("[data-option-remove]")) {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber(list);
        (next?.querySelector("[name=option_label]") || add).focus();
      }
    });
    if (typeof Sortable !== "undefined") {
      Sortable.create(list, { handle: ".drag-handle", animation: 150, onEnd: () => renumber(list) });
    }
    renumber(list);
  }

  // Lists saved by posting the whole order (the "About" card, pipeline stages).
  function initSortableList(list) {
    const form = list.dataset.form ? document.getElementById(list.dataset.form) : list.closest("form");
    if (!form || typeof Sortable === "undefined") return;
    Sortable.create(list, {
      handle: ".drag-handle",
      draggable: "[data-sort-item]",
      animation: 150,
      onEnd(event) {
        if (event.oldIndex === event.newIndex) return;
        const action = Object.assign(document.createElement("input"),
          { type: "hidden", name: "action", value: "order" });
        form.append(action);
        form.requestSubmit();
      },
    });
  }

  // A closed won stage weighs 100 %, a closed lost one 0 %: the field follows the type.
  document.addEventListener("change", (event) => {
    if (event.target.name !== "state") return;
    const probability = event.target.form?.querySelector("[name=probability]");
    if (!probability) return;
    const state = event.target.value;
    probability.readOnly = state !== "open";
    if (state === "won") probability.value = "100";
    if (state === "lost") probability.value = "0";
  });

  function init() {
    document.querySelectorAll("form[data-property-create]").forEach(initCreateForm);
    document.querySelectorAll("[data-options]").forEach(initOptions);
    document.querySelectorAll("[data-sortable-list]").forEach(initSortableList);
  }
  if (document.readyState === "complete") init();
  else window.addEventListener("load", init);
})();
