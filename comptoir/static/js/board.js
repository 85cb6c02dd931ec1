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
      placeToast(live);
    }, 30);
  }

  // The toast goes under the top bar unless a column's header (its count) or footer (its
  // totals) is there, as when the page is scrolled down to the board on a phone; then at the
  // bottom, if that spot is free.
  function coversColumns(toast) {
    const box = toast.getBoundingClientRect();
    return [...document.querySelectorAll(".board-column header, .board-column footer")].some(
      (part) => {
        const r = part.getBoundingClientRect();
        return r.width > 0 && r.left < box.right && box.left < r.right
          && r.top < box.bottom && box.top < r.bottom;
      });
  }

  function placeToast(toast) {
    toast.classList.remove("toast-bottom");
    if (!coversColumns(toast)) return;
    toast.classList.add("toast-bottom");
    if (coversColumns(toast)) toast.classList.remove("toast-bottom");
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
    // Columns scrolled further than their first cards keep them when re-rendered.
    [fromStage, toStage].forEach((stage) => {
      const list = board.querySelector(`.board-cards[data-stage="${CSS.escape(stage)}"]`);
      if (list) body.append(`shown_${stage}`, list.querySelectorAll(".deal-card").length);
    });
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

  // A column holds its first cards; the next ones load as it is scrolled down (or when its
  // "Show N more deals" link is followed, with the keyboard), under the board's filters.
  async function loadMore(link, byHand) {
    if (link.dataset.busy) return;
    const list = link.closest(".board-cards");
    const item = link.closest("[data-board-more]");
    if (!list || !item) return;
    link.dataset.busy = "1";
    link.setAttribute("aria-busy", "true");
    const label = link.textContent;
    link.textContent = link.dataset.loading;
    let html;
    try {
      const response = await fetch(link.dataset.loadMore, {
        credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      if (!response.ok) throw new Error(response.statusText);
      html = await response.text();
    } catch (error) {
      delete link.dataset.busy;
      link.removeAttribute("aria-busy");
      link.textContent = label;
      announce(link.dataset.failed, true);
      return;
    }
    const doc = new DOMParser().parseFromString(`<ul>${html}</ul>`, "text/html");
    let first = null;
    doc.querySelectorAll(".deal-card").forEach((card) => {
      if (document.getElementById(card.id)) return; // moved meanwhile, already shown
      const added = document.importNode(card, true);
      list.insertBefore(added, item);
      first = first || added;
    });
    if (list.moreObserver) list.moreObserver.unobserve(link);
    const next = doc.querySelector("[data-board-more]");
    if (next) {
      const fresh = document.importNode(next, true);
      item.replaceWith(fresh);
      watchMore(list);
    } else {
      item.remove();
    }
    if (byHand && first) first.querySelector(".deal-name")?.focus();
  }

  function watchMore(list) {
    if (!("IntersectionObserver" in window)) return;
    if (!list.moreObserver) {
      list.moreObserver = new IntersectionObserver((entries) => {
        entries.forEach((entry) => { if (entry.isIntersecting) loadMore(entry.target, false); });
      }, { root: list, rootMargin: "0px 0px 240px 0px" });
    }
    list.querySelectorAll("[data-load-more]").forEach((link) => list.moreObserver.observe(link));
  }

  function initColumn(column) {
    const list = column.querySelector(".board-cards");
    const board = column.closest("[data-board]");
    if (list) watchMore(list);
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
      const more = event.target.closest("[data-load-more]");
      if (more) {
        event.preventDefault();
        loadMore(more, true);
        return;
      }
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
