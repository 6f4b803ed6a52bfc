/* The execution page's live log: the foundation's SSE stream (lines as `log` events, then one `end`), resumed
   from the last line shown; EventSource reconnects by itself and sends Last-Event-ID. The level filter only
   hides lines (nothing is fetched again); "follow" keeps the newest line in view. */
(function () {
  "use strict";
  var RANK = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
  var root = document.getElementById("live-log");
  if (!root) { return; }
  var list = document.getElementById("live-lines");
  var connection = document.getElementById("live-connection");
  var levelSelect = document.getElementById("log-level");
  var follow = document.getElementById("log-follow");
  var summary = document.getElementById("execution-summary");
  var labels = JSON.parse(document.getElementById("log-level-labels").textContent);
  var lastId = Number(root.dataset.lastEventId) || 0;
  var finished = root.dataset.finished === "1";

  function visible(level) { return (RANK[level] || 0) >= (RANK[levelSelect.value] || 0); }

  function applyFilter() {
    list.dataset.minLevel = levelSelect.value;
    Array.prototype.forEach.call(list.children, function (item) { item.hidden = !visible(item.dataset.level); });
    scrollDown();
  }

  function scrollDown() { if (follow.checked) { list.scrollTop = list.scrollHeight; } }

  function append(line) {
    if (line.id <= lastId) { return; }
    lastId = line.id;
    var item = document.createElement("li");
    item.dataset.id = String(line.id);
    item.dataset.level = line.level;
    item.className = "level-" + String(line.level).toLowerCase();
    item.hidden = !visible(line.level);
    var time = document.createElement("span");
    time.className = "line-time";
    time.textContent = String(line.created_at).substring(11, 19);
    var level = document.createElement("span");
    level.className = "line-level";
    level.textContent = labels[line.level] || line.level;
    var message = document.createElement("span");
    message.className = "line-message";
    message.textContent = line.message;
    item.append(time, " ", level, " ", message);
    list.appendChild(item);
    scrollDown();
  }

  function showStatus(status, label) {
    document.querySelectorAll("[data-live-status]").forEach(function (badge) {
      badge.className = "orq-badge " + status;
      badge.textContent = label;
    });
  }

  // The summary (htmx, every 2 s while active) carries the status too: keep the header and breadcrumb in step.
  document.addEventListener("htmx:afterSwap", function (event) {
    var badge = event.target.querySelector && event.target.querySelector("#summary-status");
    if (badge) { showStatus(badge.dataset.status, badge.textContent); }
  });
  levelSelect.addEventListener("change", applyFilter);
  follow.addEventListener("change", scrollDown);
  scrollDown();

  if (finished) { return; }
  var url = new URL(root.dataset.streamUrl, window.location.href);
  url.searchParams.set("last_event_id", String(lastId));
  var source = new EventSource(url.toString());
  source.addEventListener("open", function () { connection.textContent = root.dataset.labelConnected; });
  source.addEventListener("log", function (event) { append(JSON.parse(event.data)); });
  source.addEventListener("end", function (event) {
    finished = true;
    source.close();
    var state = JSON.parse(event.data);
    showStatus(state.status, state.status_display);
    connection.textContent = root.dataset.labelFinished;
    root.dataset.finished = "1";
    if (window.htmx && summary) { window.htmx.trigger(summary, "refresh"); }
  });
  source.addEventListener("error", function () {
    if (!finished) { connection.textContent = root.dataset.labelReconnecting; }
  });
})();
