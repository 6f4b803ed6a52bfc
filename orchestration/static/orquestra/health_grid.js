// The health grid: a re-run refused (400, 403, 404, 409) still swaps its cell, which then shows why.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const target = event.detail.target;
  if (status >= 400 && status < 500 && target && target.classList && target.classList.contains("orq-cell")) {
    if (event.detail.xhr.getResponseHeader("Content-Type")?.startsWith("text/html")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      const note = document.createElement("span");
      note.className = "orq-cell-line orq-error";
      note.setAttribute("role", "status");
      note.textContent = event.detail.xhr.responseText;
      target.appendChild(note);
    }
  }
});
