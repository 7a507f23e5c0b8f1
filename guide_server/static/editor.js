/* Guide editor, progressive: the form works without this file. With it, the checker runs as
   the editor types (messages appear next to their fields) and "添加一行" adds a row in place. */
(function () {
  "use strict";
  var form = document.getElementById("guide-form");
  if (!form || !form.dataset.check) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;

  function clearMessages() {
    form.querySelectorAll("p.msg.live").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".fld.bad").forEach(function (f) { f.classList.remove("bad"); });
    form.querySelectorAll("p.msg").forEach(function (p) { p.remove(); });
  }

  function place(finding) {
    var box = form.querySelector('[data-field="' + CSS.escape(finding.field) + '"]');
    var path = finding.field;
    while (!box && path.indexOf(".") > 0) {
      path = path.slice(0, path.lastIndexOf("."));
      box = form.querySelector('[data-field="' + CSS.escape(path) + '"]') ||
            form.querySelector('[data-rows="' + CSS.escape(path) + '"]');
    }
    if (!box) { box = form.querySelector('[data-rows="' + CSS.escape(finding.field) + '"]'); }
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "msg live " + (finding.error ? "err" : "warn");
    p.dataset.code = finding.code;
    p.textContent = finding.message;
    if (box.matches("[data-field]")) { box.classList.add("bad"); box.appendChild(p); }
    else { box.insertBefore(p, box.children[1] || null); }
  }

  function summary(data) {
    var box = document.getElementById("checker");
    if (!box) { return; }
    box.textContent = "";
    var errors = data.findings.filter(function (f) { return f.error; }).length;
    if (!data.findings.length) {
      var ok = document.createElement("p"); ok.className = "ok"; ok.textContent = "内容检查通过。";
      box.appendChild(ok); return;
    }
    var h = document.createElement("h2");
    h.textContent = "内容检查：" + errors + " 处错误" +
      (data.findings.length > errors ? "，" + (data.findings.length - errors) + " 处提醒" : "");
    box.appendChild(h);
    var ul = document.createElement("ul");
    data.findings.forEach(function (f) {
      var li = document.createElement("li"); var a = document.createElement("a");
      a.href = "#f-" + f.field; a.textContent = f.message; li.dataset.code = f.code; li.appendChild(a); ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function runCheck() {
    var body = new FormData(form);
    body.delete("action");
    Array.from(body.keys()).forEach(function (k) {  // files are checked on save, not while typing
      if (body.get(k) instanceof File) { body.delete(k); }
    });
    fetch(form.dataset.check, { method: "POST", body: new URLSearchParams(body), credentials: "same-origin",
                                headers: { "X-CSRFToken": token } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        clearMessages();
        data.findings.forEach(place);
        summary(data);
      })
      .catch(function () { /* the server check on save still applies */ });
  }

  function later() { clearTimeout(timer); timer = setTimeout(runCheck, 400); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // "添加一行": copy the last row of the set with empty values and renumbered names.
  // Sets whose rows hold other rows (questions, material groups, time-limit variants) are
  // added by the server (buttons with data-server).
  form.querySelectorAll("button.add:not([data-server])").forEach(function (btn) {
    btn.addEventListener("click", function (ev) {
      var set = btn.closest("[data-rows]");
      var rows = set.querySelectorAll(":scope > .row");
      if (!rows.length || rows[rows.length - 1].classList.contains("group")) { return; } // let the server add it
      ev.preventDefault();
      var key = set.dataset.rows;
      var last = rows[rows.length - 1];
      var n = Number(last.dataset.row) + 1;
      var copy = last.cloneNode(true);
      copy.dataset.row = String(n);
      var re = new RegExp("^" + key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.\\d+");
      copy.querySelectorAll("[name],[id],[for],[data-field]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (!v) { return; }
          var prefix = attr === "name" ? "" : "f-";
          if (v.indexOf(prefix + key + ".") === 0) {
            el.setAttribute(attr, prefix + (v.slice(prefix.length)).replace(re, key + "." + n));
          }
        });
        if (el.dataset.field) { el.dataset.field = el.dataset.field.replace(re, key + "." + n); }
        if (el.matches("input[type=checkbox]")) { el.checked = false; }
        else if (el.matches("input,textarea")) { el.value = ""; }
        else if (el.matches("select")) { el.selectedIndex = 0; }
        el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
      });
      copy.querySelectorAll("p.msg").forEach(function (p) { p.remove(); });
      copy.querySelectorAll(".bad").forEach(function (f) { f.classList.remove("bad"); });
      if (last.id) { copy.id = "f-" + key + "." + n; }
      copy.dataset.field = key + "." + n;
      copy.querySelector(".num").textContent = String(n + 1);
      last.after(copy);
      var first = copy.querySelector("input:not([type=checkbox]),textarea");
      if (first) { first.focus(); }
    });
  });
}());
