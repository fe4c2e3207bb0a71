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
    td.textContent = value === null || value === undefined ? "" : String(value);
    row.appendChild(td);
  }

  function badgeCell(row, key, label) {
    var td = document.createElement("td");
    var span = document.createElement("span");
    span.className = "oroint-badge oroint-" + key;
    span.textContent = label;
    td.appendChild(span);
    row.appendChild(td);
  }

  function count(n) { return n === null || n === undefined ? "" : Number(n).toLocaleString("en-US"); }

  function renderRun(data) {
    var badge = document.getElementById("run-status");
    if (badge) { badge.textContent = data.status_display; badge.className = "oroint-badge oroint-" + data.status_css; }
    text("run-phase", data.phase);
    var shown = data.records.shown;
    text("run-records", shown.records);
    text("run-elapsed", shown.elapsed);
    text("run-rate", shown.rate);
    text("run-eta", shown.eta);
    text("run-progress", data.bar.label);
    var percent = Math.round(data.bar.percent || 0);
    var bar = document.getElementById("run-bar");
    if (bar) { bar.style.width = percent + "%"; }
    var progressbar = document.getElementById("run-progressbar");
    if (progressbar) {
      progressbar.setAttribute("aria-valuenow", String(percent));
      progressbar.setAttribute("aria-valuetext", shown.records);
    }
    // The live region speaks on a change of status, and on each 10 % step: not on every poll.
    var announce = document.getElementById("run-announce");
    var said = data.status_display + ". " + shown.records;
    var step = data.status + ":" + Math.floor(percent / 10);
    if (announce && announce.dataset.step !== step) { announce.dataset.step = step; announce.textContent = said; }
    text("run-message", data.message);
    text("run-log", data.log || "(empty)");
    var table = document.getElementById("run-entities");
    var body = table && table.querySelector("tbody");
    if (body && data.entities.length) {
      var exporting = table.dataset.direction === "export";
      body.textContent = "";
      data.entities.forEach(function (e) {
        var row = document.createElement("tr");
        cell(row, e.entity);
        badgeCell(row, e.status_key, e.status);
        var values = exporting
          ? [count(e.pushed), count(e.created), count(e.updated), count(e.failed), e.message]
          : [count(e.read), e.progress.shown.total, e.progress.shown.elapsed, e.progress.shown.rate,
             e.progress.shown.eta, count(e.created), count(e.updated), count(e.skipped), count(e.failed),
             count(e.removed), e.checkpoint, e.message];
        values.forEach(function (v) { cell(row, v); });
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

  // The run history on the integration page: while a run it shows is queued or running, the list is
  // fetched again every 2 s and swapped in; the fresh one says (data-active) whether to go on.
  var HISTORY_MS = 2000;
  function pollHistory() {
    var history = document.getElementById("run-history");
    if (!history || history.dataset.active !== "1") { return; }
    fetch(history.dataset.url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("run-history");
        if (!fresh) { throw new Error("no run history in the answer"); }
        history.replaceWith(document.importNode(fresh, true));
        setTimeout(pollHistory, HISTORY_MS);
      })
      .catch(function () { setTimeout(pollHistory, HISTORY_MS * 3); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setTimeout(pollHistory, HISTORY_MS);
    var run = document.querySelector(".oroint-progress[data-status-url]");
    if (run && run.dataset.finished !== "1") {
      poll(run.dataset.statusUrl, renderRun, function (d) {
        if (d.finished) { refreshRun(run); }
        return d.finished;
      });
    }
  });
})();
