// The order list's totals when they need a SUM over the filtered orders: fetched once the list is shown,
// so that the list itself never waits for them. The line is aria-live, so the figures are announced.
(function () {
  "use strict";
  const line = document.getElementById("list-totals");
  if (!line || !line.dataset.src) {
    return;
  }
  fetch(line.dataset.src, { credentials: "same-origin", headers: { Accept: "text/plain" } })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((text) => {
      line.textContent = text || "No orders.";
    })
    .catch(() => {
      line.textContent = "The totals could not be added up; reload the page to try again.";
    });
})();
