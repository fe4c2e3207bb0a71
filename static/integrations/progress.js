// Polls the JSON status of a sync run and updates the page in place; stops when the run has ended.
// (A connection check is followed by check.js.)
(function () {
  "use strict";
  var POLL_MS = 1000;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value === null || value === undefined ? "" : String(value); }
  }

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "?" : String(value);
    row.appendChild(td);
  }

  function renderRun(data) {
    var badge = document.getElementById("run-status");
    if (badge) { badge.textContent = data.status_display; badge.className = "oroint-badge oroint-" + data.status; }
    text("run-current", data.current_entity ? "reading " + data.current_entity : "");
    text("run-progress", data.progress === null ? "" : data.progress.toFixed(1) + " %");
    var bar = document.getElementById("run-bar");
    if (bar) { bar.style.width = (data.progress || 0) + "%"; }
    text("run-message", data.message);
    text("run-log", data.log || "(empty)");
    var body = document.querySelector("#run-entities tbody");
    if (body && data.entities.length) {
      body.textContent = "";
      data.entities.forEach(function (e) {
        var row = document.createElement("tr");
        [e.entity, e.status, e.read, e.created, e.updated, e.skipped, e.failed, e.removed, e.total, e.checkpoint, e.message].forEach(function (v) { cell(row, v); });
        body.appendChild(row);
      });
    }
  }

  function poll(url, onData, isDone) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        onData(data);
        if (!isDone(data)) { setTimeout(function () { poll(url, onData, isDone); }, POLL_MS); }
      })
      .catch(function () { setTimeout(function () { poll(url, onData, isDone); }, POLL_MS * 3); });
  }

  // The errors list and the Cancel / Run again buttons are rendered by the server, so the page is
  // fetched once more when the run ends. Its content is swapped into the same container instead of
  // reloading the page: the container stays the same element, and data-finished="1" on it says that
  // the page shows the final state and will not change again (a reader, or a test, can wait for it).
  function refreshRun(run) {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".oroint-progress");
        if (!fresh) { throw new Error("no progress block in the page"); }
        run.innerHTML = fresh.innerHTML;
        run.dataset.finished = "1";
      })
      // A full reload renders the same final state, only less smoothly.
      .catch(function () { window.location.reload(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var run = document.querySelector(".oroint-progress[data-status-url]");
    if (run && run.dataset.finished !== "1") {
      poll(run.dataset.statusUrl, renderRun, function (d) {
        if (d.finished) { refreshRun(run); }
        return d.finished;
      });
    }
  });
})();
