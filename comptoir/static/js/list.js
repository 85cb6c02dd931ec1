// Index pages (UI-2) and the tasks page (UI-6): the bulk bar shows when rows are checked.
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

// "Edit columns": the chosen columns keep the order the user gives them, by dragging
// (SortableJS) or with the arrow buttons (keyboard); the form sends them in that order.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-column-order] [data-move]");
  if (!button) return;
  const item = button.closest("[data-column]");
  if (button.dataset.move === "up" && item.previousElementSibling) {
    item.parentNode.insertBefore(item, item.previousElementSibling);
  } else if (button.dataset.move === "down" && item.nextElementSibling) {
    item.parentNode.insertBefore(item.nextElementSibling, item);
  }
  button.focus();
});

function sortableColumns(root) {
  if (typeof Sortable === "undefined") return;
  (root || document).querySelectorAll("[data-column-order]:not([data-sortable-ready])").forEach((list) => {
    list.dataset.sortableReady = "1";
    Sortable.create(list, { animation: 120, handle: ".drag-handle", draggable: "[data-column]" });
  });
}
document.addEventListener("htmx:afterSettle", (event) => sortableColumns(event.target));
