// The integration form: Check Connection on the values in the form (saved or not, on the Add page
// too), and the sync priority row shown only with two way sync on.
//
// The button posts the form's current values to the check endpoint and follows the check until a
// worker has ended it; the page is never reloaded, so nothing typed is lost. A check that succeeded
// fills the choices it found (the Website select, the store's lookups) keeping what is chosen when it
// is still offered, and names itself in the form, so that saving keeps what it found.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var BADGES = {
    succeeded: ["oroint-ok", "Connection successful"],
    failed: ["oroint-fail", "Connection failed"],
    invalid: ["oroint-fail", "Not checked"],
    queued: ["oroint-wait", "Checking…"],
    running: ["oroint-wait", "Checking…"]
  };

  function show(box, status, message) {
    var badge = BADGES[status] || BADGES.queued;
    box.textContent = "";
    var span = document.createElement("span");
    span.className = "oroint-badge " + badge[0];
    span.textContent = badge[1];
    var text = document.createElement("span");
    text.id = "check-message";
    text.textContent = message || (status === "queued" ? "Queued; waiting for a worker." : "");
    box.appendChild(span);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(text);
    box.dataset.status = status;  // set last: a reader waiting on it finds the text in place
  }

  function warn(html) {
    var note = document.getElementById("check-warning");
    if (!note) { return; }
    note.innerHTML = html || "";  // built and escaped by the server
    note.hidden = !html;
  }

  function fill(form, choices) {
    Object.keys(choices || {}).forEach(function (name) {
      var select = form.querySelector('select[name="' + name + '"]');
      if (!select) { return; }
      var kept = select.value;
      select.textContent = "";
      choices[name].forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        select.appendChild(option);
      });
      if (choices[name].some(function (choice) { return choice[0] === kept; })) { select.value = kept; }
    });
  }

  function follow(url, box, form, button) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.finished) {
          show(box, data.status, data.status === "running" ? "Running." : "");
          setTimeout(function () { follow(url, box, form, button); }, POLL_MS);
          return;
        }
        if (data.status === "succeeded" && form) {
          fill(form, data.choices);
          var named = form.querySelector('input[name="connection_check"]');
          if (named) { named.value = data.id; }
        }
        if (data.warning) { warn(data.warning); }
        show(box, data.status, data.message);
        if (button) { button.disabled = false; }
      })
      .catch(function () { setTimeout(function () { follow(url, box, form, button); }, POLL_MS * 3); });
  }

  function check(button, box) {
    var form = button.form;
    button.disabled = true;
    warn("");
    var named = form.querySelector('input[name="connection_check"]');
    if (named) { named.value = ""; }  // until this check has succeeded
    show(box, "queued", "Sending the values to check…");
    fetch(button.dataset.checkUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        warn(data.warning);
        if (!data.status_url) {  // not queued: the values are not valid, or Redis refused the job
          show(box, data.status, data.message);
          button.disabled = false;
          return;
        }
        show(box, data.status, "");
        follow(data.status_url, box, form, button);
      })
      .catch(function (err) {
        show(box, "failed", "The check could not be sent (" + err + "). Press Check Connection again.");
        button.disabled = false;
      });
  }

  function twoWayOnly() {
    var toggle = document.getElementById("id_two_way_sync");
    var row = document.querySelector(".field-sync_priority");
    if (!toggle || !row) { return; }
    var apply = function () { row.hidden = !toggle.checked; };
    toggle.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    twoWayOnly();
    var box = document.getElementById("connection-check");
    var button = document.getElementById("check-connection");
    if (button && box) {
      button.addEventListener("click", function () { check(button, box); });
    }
    if (box && box.dataset.statusUrl && (box.dataset.status === "queued" || box.dataset.status === "running")) {
      follow(box.dataset.statusUrl, box, button ? button.form : null, button);
    }
  });
})();
