// claimsdb workbench: annotating. Part of claimsdb, MIT licence.
// Every form that writes is sent with the page's CSRF token in the X-CSRF-Token header
// (the server refuses a write without it), then the page the server redirects to is
// opened. Keys on the annotating page: j/k move between suggestions, a accepts and r
// rejects the current one. Selecting words in the text fills the new statement's quote,
// or, right after a hop's cue or mention field was clicked, that field.
"use strict";

(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  // The draft revision this page was drawn from, sent with every write: a write based
  // on a revision another tab has replaced is refused (409) and nothing is written.
  const drawn = document.querySelector("[data-revision]");
  const headers = { "X-CSRF-Token": token };
  if (drawn && drawn.dataset.revision) headers["X-Draft-Revision"] = drawn.dataset.revision;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("write")) return;
    event.preventDefault();
    const status = document.getElementById("write-status") || document.createElement("p");
    status.id = "write-status";
    status.setAttribute("role", "status");
    form.after(status);
    status.textContent = "…";
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: headers })
      .then((response) => {
        if (response.ok) {
          const target = new URL(response.url);
          if (target.pathname === location.pathname && target.search === location.search) {
            location.reload();
          } else {
            location.assign(response.url);
          }
          return null;
        }
        return response.text().then((text) => {
          const page = new DOMParser().parseFromString(text, "text/html");
          const problem = page.querySelector(".problem");
          status.className = "problem";
          status.textContent = problem ? problem.textContent : text;
        });
      })
      .catch(() => { status.className = "problem"; status.textContent = "The server did not answer; nothing was changed."; });
  });

  const text = document.getElementById("draft-text");
  if (!text) return;

  const quote = document.getElementById("new-quote");
  // The field the next selection fills: a hop's cue or mention once clicked (marked
  // "picking" until it is filled or another field is clicked), else the new quote.
  let picking = null;
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (text.contains(field)) return;  // a marked statement in the text, clicked to select in it
    if (picking && picking !== field) picking.classList.remove("picking");
    picking = field.matches && field.matches('.hop-row input[name="cue"], .hop-row input[name="mention"]')
      ? field : null;
    if (picking) picking.classList.add("picking");
  });
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) return;
    const words = selection.toString().trim();
    if (picking) {
      picking.value = words;
      picking.classList.add("picked");
    } else if (quote) {
      quote.value = words;
    }
  });
  text.addEventListener("mouseup", () => {  // the selection is made: the next goes to the quote
    if (picking) { picking.classList.remove("picking"); picking = null; }
  });

  // A relation's target: the list offers this article's statements, and stored ones
  // whose quote has the words typed (the statements search of the command line).
  const targets = document.getElementById("statement-keys");
  let asked = 0;
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!targets || !field.matches || !field.matches('input[name="target"]')) return;
    const words = field.value.trim();
    if (words.length < 3 || words.includes("#")) return;
    const mine = ++asked;
    fetch(targets.dataset.find + "?q=" + encodeURIComponent(words), { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : []))
      .then((found) => {
        if (mine !== asked) return;  // a later keystroke asked again
        for (const old of targets.querySelectorAll("option.stored")) old.remove();
        for (const statement of found) {
          const option = document.createElement("option");
          option.className = "stored";
          option.value = statement.ref;
          option.textContent = (statement.speaker ? statement.speaker + ": " : "") + statement.quote;
          targets.append(option);
        }
      })
      .catch(() => {});
  });

  // An actor field (a hop's actor, the outlet, a verdict's reviewer): the list offers
  // this article's own actors (in the page) and the stored actors whose key, name or
  // alias starts with what is typed, asked of the server once typing pauses.
  const actorKeys = document.getElementById("actor-keys");
  let actorTimer = 0;
  let actorAsked = 0;
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!actorKeys || !field.matches || !field.matches('input[list="actor-keys"]')) return;
    clearTimeout(actorTimer);
    const typed = field.value.trim();
    if (!typed) return;
    actorTimer = setTimeout(() => {
      const mine = ++actorAsked;
      fetch(actorKeys.dataset.find + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : []))
        .then((found) => {
          if (mine !== actorAsked) return;  // a later pause asked again
          for (const old of actorKeys.querySelectorAll("option.stored")) old.remove();
          const own = new Set(Array.from(actorKeys.options, (option) => option.value));
          for (const actor of found) {
            if (own.has(actor.key)) continue;
            const option = document.createElement("option");
            option.className = "stored";
            option.value = actor.key;
            option.textContent = actor.name + (actor.aliases.length ? " (" + actor.aliases.join(", ") + ")" : "");
            actorKeys.append(option);
          }
        })
        .catch(() => {});
    }, 200);
  });

  const cards = Array.from(document.querySelectorAll(".card.suggestion"));
  let current = -1;
  function show(index) {
    if (!cards.length) return;
    current = Math.max(0, Math.min(index, cards.length - 1));
    for (const card of cards) card.classList.remove("current");
    const card = cards[current];
    card.classList.add("current");
    card.focus();
    for (const a of text.querySelectorAll("a.sg.current")) a.classList.remove("current");
    const mark = text.querySelector('a.sg[data-suggestion="' + CSS.escape(card.dataset.suggestion) + '"]');
    if (mark) mark.classList.add("current");
  }
  for (const mark of text.querySelectorAll("a.sg")) {
    mark.addEventListener("click", () => {
      const index = cards.findIndex((c) => c.dataset.suggestion === mark.dataset.suggestion);
      if (index >= 0) show(index);
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      show(current < 0 ? 0 : current + (event.key === "j" ? 1 : -1));
    } else if ((event.key === "a" || event.key === "r") && current >= 0) {
      const button = cards[current].querySelector('button[data-key="' + event.key + '"]');
      if (button) { event.preventDefault(); button.form.requestSubmit(button); }
    }
  });
})();
