// Deals board (UI-5): cards move by drag and drop (SortableJS) or through the stage dialog; both
// post the same form to the server, which answers with the two re-rendered columns, or with an
// error (the card goes back where it was).
(() => {
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

  // Deferred like SortableJS, which may come after it: wait for every deferred script.
  document.addEventListener("DOMContentLoaded", initBoard);
})();
