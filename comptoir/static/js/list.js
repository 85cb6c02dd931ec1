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
