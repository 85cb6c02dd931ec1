// Call queue (TOOL-8): after a call, the next contact opens by itself.
// <p data-countdown="5" data-countdown-href="..."> counts down, then follows the link; the
// "Pause" button stops it (the link to the next contact stays).
(() => {
  const box = document.querySelector("[data-countdown]");
  if (!box) return;
  let left = parseInt(box.dataset.countdown, 10) || 0;
  const shown = box.querySelector("[data-countdown-left]");
  const timer = setInterval(() => {
    left -= 1;
    if (shown) shown.textContent = Math.max(left, 0);
    if (left <= 0) {
      clearInterval(timer);
      window.location.assign(box.dataset.countdownHref);
    }
  }, 1000);
  box.querySelector("[data-countdown-stop]")?.addEventListener("click", () => {
    clearInterval(timer);
    box.hidden = true;
  });
})();
