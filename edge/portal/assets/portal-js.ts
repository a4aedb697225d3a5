// The portal's one script, served by the edge as a file (the CSP allows scripts from 'self' only,
// never inline). Everything it does is a convenience over pages that work without it: keyboard
// jumps between issues, the shortcuts dialog, editing a paragraph in place (the same form as the
// edit page, fetched), and live revision progress (the status route, polled with If-None-Match).
export const portalJs = String.raw`(function () {
  "use strict";
  var live = document.getElementById("live");
  function announce(text) {
    if (!live) return;
    live.textContent = "";
    // A fresh text node after a tick, so repeated messages are read again.
    setTimeout(function () { live.textContent = text; }, 30);
  }

  // ---- Issues: j / k ----
  var refs = Array.prototype.slice.call(document.querySelectorAll("a.issue-ref"));
  var current = -1;
  var lit = [];
  function clearLit() { lit.forEach(function (el) { el.classList.remove("current"); }); lit = []; }
  function light(el) { if (el) { el.classList.add("current"); lit.push(el); } }
  function show(index) {
    if (refs.length === 0) { announce("This entry has no issues marked."); return; }
    current = (index + refs.length) % refs.length;
    var ref = refs[current];
    var id = ref.getAttribute("data-issue");
    clearLit();
    light(ref);
    document.querySelectorAll('[data-issues~="' + id + '"]').forEach(light);
    var note = document.getElementById("note-" + id);
    if (note) {
      var details = note.closest("details");
      if (details) details.open = true;
      light(note);
    }
    ref.focus({ preventScroll: true });
    ref.scrollIntoView({ block: "center" });
    announce("Issue " + (current + 1) + " of " + refs.length + ": " + (note ? summaryOf(note) : ref.getAttribute("aria-label")));
  }
  function summaryOf(note) {
    var part = function (selector) { var el = note.querySelector(selector); return el ? el.textContent : ""; };
    var suggestion = part(".suggestion");
    return part(".sev") + ", " + part(".rule") + ", " + part(".dim") + ": " + part(".msg") + (suggestion ? " " + suggestion : "");
  }
  refs.forEach(function (ref, i) { ref.addEventListener("focus", function () { current = i; }); });

  var dialog = document.getElementById("shortcuts");
  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable], dialog[open]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "j") { event.preventDefault(); show(current + 1); }
    else if (event.key === "k") { event.preventDefault(); show(current < 0 ? refs.length - 1 : current - 1); }
    else if (event.key === "?" && dialog && typeof dialog.showModal === "function") { event.preventDefault(); dialog.showModal(); }
  });
  document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
    button.addEventListener("click", function () { var d = button.closest("dialog"); if (d) d.close(); });
  });

  // ---- Edit a paragraph in place: the edit page's own form, fetched ----
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.edit-link") : null;
    if (!link) return;
    event.preventDefault();
    var para = link.closest(".para");
    fetch(link.href, { credentials: "same-origin" })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var form = doc.querySelector("form.edit-form");
        if (!form || !para) { window.location.href = link.href; return; }
        form = document.importNode(form, true);
        var cancel = document.createElement("button");
        cancel.type = "button";
        cancel.className = "secondary";
        cancel.textContent = "Cancel";
        var row = form.querySelector(".row");
        (row || form).appendChild(cancel);
        var placeholder = para.cloneNode(true);
        para.replaceWith(form);
        cancel.addEventListener("click", function () { form.replaceWith(placeholder); var l = placeholder.querySelector("a.edit-link"); if (l) l.focus(); });
        var area = form.querySelector("textarea");
        if (area) area.focus();
        announce("Editing the paragraph. Save to make a new revision, or Cancel.");
      })
      .catch(function () { window.location.href = link.href; });
  });

  // ---- Revision progress: poll the status route; 304 while nothing moved ----
  var watch = document.querySelector("[data-status-url]");
  if (watch) {
    var url = watch.getAttribute("data-status-url");
    var etag = null;
    var bar = watch.querySelector("progress");
    var step = watch.querySelector("[data-step]");
    var sections = watch.querySelector("[data-sections]");
    var poll = function () {
      var headers = etag ? { "if-none-match": etag } : {};
      fetch(url, { headers: headers, credentials: "same-origin" })
        .then(function (res) {
          if (res.status === 304) return null;
          if (!res.ok) throw new Error(String(res.status));
          etag = res.headers.get("etag");
          return res.json();
        })
        .then(function (status) {
          if (status) {
            if (bar) { bar.value = status.progress; bar.textContent = Math.round(status.progress * 100) + "%"; }
            if (step) step.textContent = status.step;
            if (sections) sections.textContent = status.sections.done + " of " + status.sections.total;
            if (status.next) { announce("The revision is back."); window.location.href = status.next; return; }
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    poll();
  }
})();
`;
