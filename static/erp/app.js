/* ERP shell behaviour: toasts, confirmation modal, keyboard shortcuts, theme.
   No inline scripts anywhere (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  var THEME_KEY = "erp-theme";

  /* Messages come translated from the server as data-erp-text-* attributes on <body>. */
  function text(name) {
    return document.body.getAttribute("data-erp-text-" + name) || "";
  }

  function applyTheme(theme) {
    document.documentElement.setAttribute("data-bs-theme", theme);
  }
  applyTheme(localStorage.getItem(THEME_KEY) || "light");

  function toast(level, message) {
    var container = document.getElementById("erp-toasts");
    if (!container) { return; }
    var bg = { error: "danger", success: "success", warning: "warning", info: "primary", debug: "secondary" }[level] || "primary";
    var el = document.createElement("div");
    el.className = "toast align-items-center text-bg-" + bg + " border-0";
    el.setAttribute("role", level === "error" ? "alert" : "status");
    var inner = document.createElement("div");
    inner.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", text("close"));
    inner.appendChild(body);
    inner.appendChild(close);
    el.appendChild(inner);
    container.appendChild(el);
    var instance = window.bootstrap ? new window.bootstrap.Toast(el, { delay: 6000 }) : null;
    if (instance) { instance.show(); }
    el.addEventListener("hidden.bs.toast", function () { el.remove(); });
  }
  window.erpToast = toast;

  document.body.addEventListener("erp:toasts", function (event) {
    var toasts = (event.detail && event.detail.value) || event.detail || [];
    toasts.forEach(function (t) { toast(t.level, t.message); });
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var messages = { 403: text("forbidden"), 404: text("not-found"), 409: text("conflict") };
    toast("error", messages[status] || text("failed").replace("%(status)s", status));
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("error", text("offline"));
  });

  /* Confirmation: <form data-confirm="Really?"> asks before it submits (with or without htmx). */
  var pendingForm = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]") || form.dataset.confirmed === "1") { return; }
    var modalEl = document.getElementById("erp-confirm");
    if (!modalEl || !window.bootstrap) { if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); } return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    pendingForm = form;
    document.getElementById("erp-confirm-text").textContent = form.dataset.confirm;
    window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.id === "erp-confirm-ok" && pendingForm) {
      var form = pendingForm;
      pendingForm = null;
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("erp-confirm")).hide();
      form.dataset.confirmed = "1";
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      form.dataset.confirmed = "";
    }
    var toggle = event.target.closest && event.target.closest("[data-erp-theme-toggle]");
    if (toggle) {
      var next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
      localStorage.setItem(THEME_KEY, next);
      applyTheme(next);
    }
  });

  /* Keyboard: Ctrl+K search; Alt+<key> for elements with data-erp-shortcut="<key>". */
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      var search = document.getElementById("erp-global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var target = document.querySelector('[data-erp-shortcut="' + event.key.toLowerCase() + '"]');
      if (target) { event.preventDefault(); target.click(); }
    }
  });
})();

/* <select data-erp-autosubmit> submits its form on change (the organization switcher). */
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-erp-autosubmit]")) {
    var form = event.target.form;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
});

/* Inline rows: <button data-erp-formset-add="<prefix>"> appends a copy of <template id="<prefix>-empty">
   (the formset's empty form, "__prefix__" standing for the row number) to #<prefix>-rows. Without
   script the button submits _op=add:<prefix> and the server adds the row. */
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-erp-formset-add]");
  if (!button) { return; }
  var prefix = button.getAttribute("data-erp-formset-add");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(prefix + "-empty");
  var rows = document.getElementById(prefix + "-rows");
  if (!total || !template || !rows) { return; }
  event.preventDefault();
  var index = parseInt(total.value, 10) || 0;
  var copy = template.content.cloneNode(true);
  copy.querySelectorAll("[name], [id], [for], [aria-labelledby], [aria-describedby]").forEach(function (el) {
    ["name", "id", "for", "aria-labelledby", "aria-describedby"].forEach(function (attr) {
      var value = el.getAttribute(attr);
      if (value) { el.setAttribute(attr, value.split("__prefix__").join(String(index))); }
    });
  });
  rows.appendChild(copy);
  total.value = index + 1;
  var first = rows.lastElementChild && rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
  if (first) { first.focus(); }
});
