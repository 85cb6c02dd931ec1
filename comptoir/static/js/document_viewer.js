// The public viewer of a shared document (TOOL-4, comptoir/documents/public_views.py):
// draws each page of the PDF with pdf.js on a canvas and tells the server, every 10 s and
// when the reader leaves (navigator.sendBeacon), how many seconds were spent on which page.
// Only the time the tab is visible counts.
const root = document.querySelector("[data-document-viewer]");
const FLUSH_MS = 10000;

if (root) start(root);

async function start(root) {
  const status = document.querySelector("[data-page-status]");
  const total = Number(root.dataset.pages) || 0;
  const pending = new Map(); // page -> seconds not sent yet
  let current = 1;
  let pdfjs;
  try {
    pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
    const pdf = await pdfjs.getDocument({ url: root.dataset.file, isEvalSupported: false }).promise;
    root.querySelector("[data-loading]")?.remove();
    await drawPages(pdf, root);
  } catch (error) {
    const note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "alert");
    note.textContent = root.dataset.error;
    root.replaceChildren(note);
    return;
  }

  const ratios = new Map(); // page -> its height on screen (px): the page read is the most visible
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) ratios.set(Number(entry.target.dataset.page), entry.intersectionRect.height);
    let best = current;
    let bestRatio = -1;
    for (const [page, ratio] of ratios) {
      if (ratio > bestRatio) { best = page; bestRatio = ratio; }
    }
    if (best !== current) {
      current = best;
      showStatus();
    }
  }, { threshold: Array.from({ length: 21 }, (_, i) => i / 20) });
  root.querySelectorAll("[data-page]").forEach((el) => observer.observe(el));

  function showStatus() {
    if (status) status.textContent = root.dataset.pageLabel.replace("{n}", current).replace("{total}", total);
  }
  showStatus();

  setInterval(() => {
    if (document.visibilityState === "visible") pending.set(current, (pending.get(current) || 0) + 1);
  }, 1000);

  function body() {
    if (!pending.size) return null;
    const form = new URLSearchParams();
    form.set("s", root.dataset.session);
    for (const [page, seconds] of pending) {
      form.append("page", String(page));
      form.append("seconds", String(seconds));
    }
    pending.clear();
    return form;
  }

  async function flush() {
    const form = body();
    if (!form) return;
    try {
      await fetch(root.dataset.beacon, { method: "POST", body: form, keepalive: true, credentials: "omit" });
    } catch (error) {
      // Offline: this time is lost, the next beacons carry on.
    }
  }
  setInterval(flush, FLUSH_MS);

  function leave() {
    const form = body();
    if (form) navigator.sendBeacon(root.dataset.beacon, form);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
}

// Every page gets its canvas at once (sized like the first page until drawn), and is drawn
// when it comes near the screen: a long PDF does not hold hundreds of drawn pages at load.
async function drawPages(pdf, root) {
  const width = Math.min(root.clientWidth || 800, 1000);
  const ratio = window.devicePixelRatio || 1;
  const first = (await pdf.getPage(1)).getViewport({ scale: 1 });
  const drawn = new Set();
  async function draw(figure) {
    const n = Number(figure.dataset.page);
    if (drawn.has(n)) return;
    drawn.add(n);
    const page = await pdf.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    const canvas = figure.querySelector("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvasContext: canvas.getContext("2d"), canvas, viewport }).promise;
    figure.dataset.drawn = "true";
  }
  const near = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        near.unobserve(entry.target);
        draw(entry.target);
      }
    }
  }, { rootMargin: "150% 0px" });
  for (let n = 1; n <= pdf.numPages; n++) {
    const figure = document.createElement("figure");
    figure.className = "viewer-page";
    figure.dataset.page = String(n);
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(width * ratio);
    canvas.height = Math.floor((width * ratio * first.height) / first.width);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", root.dataset.pageLabel.replace("{n}", n).replace("{total}", pdf.numPages));
    figure.append(canvas);
    root.append(figure);
    near.observe(figure);
  }
  await draw(root.querySelector("[data-page='1']"));
}
