// claimsdb workbench: selecting statements on the article page. Part of claimsdb,
// MIT licence. Everything here is an enhancement: the pages read without it (the
// statement links and :target show the same panel). No inline script anywhere: the
// Content-Security-Policy forbids it.
"use strict";

(function () {
  const text = document.getElementById("text");
  const details = document.getElementById("details");
  if (!text || !details) return;

  const firsts = Array.from(text.querySelectorAll("a.st:not([tabindex='-1'])"));
  const order = firsts.map((a) => a.dataset.statement);

  function pieces(key) {
    return Array.from(text.querySelectorAll("a.st")).filter((a) => a.dataset.statement === key);
  }

  function loadTrace(panel) {
    const slot = panel.querySelector(".trace-slot");
    if (!slot || slot.dataset.loaded) return;
    slot.dataset.loaded = "1";
    fetch(panel.dataset.trace, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const page = new DOMParser().parseFromString(html, "text/html");
        const summary = page.getElementById("trace-summary");
        if (summary) {
          summary.removeAttribute("id");
          slot.replaceChildren(document.importNode(summary, true));
        }
      })
      .catch(() => { slot.textContent = "The trace could not be loaded; follow the link."; });
  }

  function select(key, focus) {
    for (const a of text.querySelectorAll("a.st.selected")) a.classList.remove("selected");
    for (const s of details.querySelectorAll(".detail.shown")) s.classList.remove("shown");
    const panel = document.getElementById("st-" + key);
    if (!panel) return;
    for (const a of pieces(key)) a.classList.add("selected");
    panel.classList.add("shown");
    loadTrace(panel);
    if (focus) {
      const first = pieces(key)[0];
      if (first) first.focus();
    }
  }

  function current() {
    const hash = decodeURIComponent(location.hash.slice(1));
    return hash.startsWith("st-") ? hash.slice(3) : null;
  }

  window.addEventListener("hashchange", () => { const key = current(); if (key) select(key, false); });
  const start = current();
  if (start) select(start, false);

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "j" && event.key !== "k") return;
    const index = order.indexOf(current());
    const next = event.key === "j" ? Math.min(index + 1, order.length - 1) : Math.max(index - 1, 0);
    if (order[next] === undefined) return;
    event.preventDefault();
    location.replace("#st-" + order[next]);  // moves :target too, without history
    select(order[next], true);
  });
})();
