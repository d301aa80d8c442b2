/* Reading a PDF evidence beside the grid: PDF.js (static/vendor/pdfjs) draws each page on a
   canvas when its reader is opened, with the page's text for screen readers. The file comes
   from the audited read view of the portfolio; images, audio and video need no script.
   Without JavaScript the reader says to download the file. */

const MAX_PAGES = 30;

function panelUrls() {
  const panel = document.querySelector("[data-pdfjs]");
  return panel ? { lib: panel.dataset.pdfjs, worker: panel.dataset.pdfjsWorker } : null;
}

let library = null;
function loadLibrary(urls) {
  if (!library) {
    library = import(urls.lib).then((pdfjs) => {
      pdfjs.GlobalWorkerOptions.workerSrc = urls.worker;
      return pdfjs;
    });
  }
  return library;
}

async function drawPage(pdf, number, total, box, width) {
  const page = await pdf.getPage(number);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.max(width, 200) / base.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  const figure = document.createElement("figure");
  figure.className = "pdf-page";
  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.setAttribute("aria-hidden", "true");
  figure.appendChild(canvas);
  const caption = document.createElement("figcaption");
  caption.className = "muted";
  caption.textContent = `Page ${number} sur ${total}`;
  figure.appendChild(caption);
  box.appendChild(figure);
  await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
  const content = await page.getTextContent();
  const text = content.items.map((item) => item.str || "").join(" ").trim();
  const reading = document.createElement("div");
  reading.className = "visually-hidden";
  reading.textContent = text || "Cette page ne contient pas de texte lisible (image ou scan).";
  figure.appendChild(reading);
  canvas.dataset.drawn = "1";
}

async function render(reader, urls) {
  const box = reader.querySelector(".pdf-reader");
  const status = box.querySelector("[data-pdf-status]");
  status.textContent = "Chargement du document…";
  try {
    const pdfjs = await loadLibrary(urls);
    const pdf = await pdfjs.getDocument({
      url: box.dataset.pdfSrc,
      isEvalSupported: false,
      withCredentials: true,
    }).promise;
    const total = pdf.numPages;
    const shown = Math.min(total, MAX_PAGES);
    const width = box.clientWidth || 320;
    for (let number = 1; number <= shown; number += 1) {
      await drawPage(pdf, number, total, box, width);
    }
    status.textContent = total > shown
      ? `Document affiché (${shown} premières pages sur ${total}) : téléchargez-le pour la suite.`
      : `Document affiché : ${total} page${total > 1 ? "s" : ""}.`;
    box.dataset.rendered = "1";
  } catch (error) {
    status.textContent = "Le document n'a pas pu être affiché ici : téléchargez-le.";
    box.dataset.rendered = "error";
  }
}

const urls = panelUrls();
if (urls) {
  document.querySelectorAll("details.evidence-reader[data-kind='pdf']").forEach((reader) => {
    let started = false;
    reader.addEventListener("toggle", () => {
      if (reader.open && !started) {
        started = true;
        render(reader, urls);
      }
    });
  });
}
