// The console's lists: a "select all" box ticks the row boxes of its table (delegated: survives htmx swaps).
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  for (const box of all.closest("table").querySelectorAll(`input[name="${all.dataset.selectAll}"]`)) {
    box.checked = all.checked;
  }
});

// A filter left empty stays out of the URL htmx pushes, so a bookmarked list reads like its filters.
document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.formData;
  if (!form || (event.detail.verb || "").toLowerCase() !== "get") return;
  const empty = new Set();
  const filled = new Set();
  for (const [name, value] of form.entries()) (value === "" ? empty : filled).add(name);
  for (const name of empty) if (!filled.has(name)) form.delete(name);
});
