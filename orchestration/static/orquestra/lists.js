// The console's lists: a "select all" box ticks the row boxes of its table (delegated: survives htmx swaps).
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  for (const box of all.closest("table").querySelectorAll(`input[name="${all.dataset.selectAll}"]`)) {
    box.checked = all.checked;
  }
});
