// The public viewer of a shared document (TOOL-4, comptoir/documents/public_views.py):
// draws each page of the PDF with pdf.js on a canvas and tells the server, after the first
// second read (which makes the opening count as a view: a scanner fetching the link runs no
// script), every 10 s (data-flush-seconds, COMPTOIR_DOCUMENTS_BEACON_SECONDS) and when the reader leaves (navigator.sendBeacon), how many seconds
// were spent on which page. Only the time the tab is visible counts.
//
// The PDF's web links are laid over each drawn page as real links; those to the company's
// own website (data-hint-hosts, Settings > Prospects) carry the recipient contact's signed
// hint (?_cmp=, data-hint), which the website snippet sends back (TOOL-6): the visitor is
// known as that contact.
const root = document.querySelector("[data-document-viewer]");
const HINT_PARAM = "_cmp";

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

  let confirmed = false;
  setInterval(() => {
    if (document.visibilityState !== "visible") return;
    pending.set(current, (pending.get(current) || 0) + 1);
    if (!confirmed) {
      confirmed = true;
      flush(); // the first second read: the server counts the view from this beacon
    }
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
  setInterval(flush, (Number(root.dataset.flushSeconds) || 10) * 1000);

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
    try {
      addLinks(figure, base, await page.getAnnotations({ intent: "display" }));
    } catch (error) {
      // A page whose annotations cannot be read is still shown, without its links.
    }
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

function onWebsite(host) {
  const hosts = (root.dataset.hintHosts || "").split(/\s+/).filter(Boolean);
  host = host.toLowerCase().replace(/\.$/, "");
  return hosts.some((domain) => host === domain || host.endsWith("." + domain));
}

// A point of the PDF page on the page as drawn at `viewport` (its transform: scale, rotation,
// the y axis pointing down).
function toViewport(viewport, x, y) {
  const [a, b, c, d, e, f] = viewport.transform;
  return [a * x + c * y + e, b * x + d * y + f];
}

// The page's web links (pdf.js "Link" annotations with a URL) as anchors over the canvas,
// placed in percents of the page so that they follow its drawn size.
function addLinks(figure, viewport, annotations) {
  for (const annotation of annotations) {
    if (annotation.subtype !== "Link" || !annotation.url) continue;
    let url;
    try {
      url = new URL(annotation.url);
    } catch (error) {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    if (root.dataset.hint && onWebsite(url.hostname)) url.searchParams.set(HINT_PARAM, root.dataset.hint);
    const [x1, y1] = toViewport(viewport, annotation.rect[0], annotation.rect[1]);
    const [x2, y2] = toViewport(viewport, annotation.rect[2], annotation.rect[3]);
    const link = document.createElement("a");
    link.className = "viewer-link";
    link.href = url.toString();
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.setAttribute("aria-label", root.dataset.linkLabel.replace("{url}", annotation.url));
    link.style.left = `${(Math.min(x1, x2) / viewport.width) * 100}%`;
    link.style.top = `${(Math.min(y1, y2) / viewport.height) * 100}%`;
    link.style.width = `${(Math.abs(x2 - x1) / viewport.width) * 100}%`;
    link.style.height = `${(Math.abs(y2 - y1) / viewport.height) * 100}%`;
    figure.append(link);
  }
}
