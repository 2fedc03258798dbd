/* The little behaviour the pages need, kept out of the HTML so the content-security policy can
 * forbid inline scripts, handlers and style attributes (jiceng/core/security.py). Everything is
 * declared with data- attributes and handled by delegation, so it also works on what htmx swaps in.
 *
 *   <button data-fill-target="id_new_parent" data-fill-value="320102">  fills that field on click
 *   <button data-choose-code="…" data-choose-label="…"> inside [data-chooser]   fills the chooser's
 *           field (data-chooser-field), shows the label in its [data-chooser-chosen], clears the results
 *   <input data-enter-stays>                  Enter does not submit the form (search-as-you-type)
 *   <input type=checkbox data-check-all="ids"> ticks or unticks every checkbox named "ids" of its form
 *   <form data-submit-once>                   a second submit while the first is on its way is ignored
 *                                             (not for a <button data-download>: the page stays)
 *   <div data-percent="42">                   its width is set to 42 %
 *
 * A page that comes back with a form's errors scrolls to the first of them and puts the cursor in
 * its field, so a user who sent a form low on a long page (on a phone) sees what to correct.
 */
(function () {
  "use strict";

  function fill(button) {
    var field = document.getElementById(button.dataset.fillTarget);
    if (field) {
      field.value = button.dataset.fillValue;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function choose(button) {
    var chooser = button.closest("[data-chooser]");
    if (!chooser) return;
    var field = document.getElementById(chooser.dataset.chooserField);
    if (field) field.value = button.dataset.chooseCode;
    var chosen = chooser.querySelector("[data-chooser-chosen]");
    if (chosen) {
      chosen.querySelector("[data-chooser-label]").textContent = button.dataset.chooseLabel;
      chosen.hidden = false;
    }
    button.parentElement.replaceChildren();
  }

  function setWidths(root) {
    root.querySelectorAll("[data-percent]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0));
      bar.style.width = percent + "%";
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var filler = target.closest("[data-fill-target]");
    if (filler) fill(filler);
    var option = target.closest("[data-choose-code]");
    if (option) choose(option);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target instanceof Element && event.target.matches("[data-enter-stays]")) {
      event.preventDefault();
    }
  });

  // <input type="checkbox" data-check-all="ids">: ticks or unticks every checkbox of that name in
  // its form (批量派单, 批量接收, 批量导出).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) return;
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
    // A button that downloads a file (批量导出) leaves the page where it is: nothing to lock.
    if (event.submitter && event.submitter.hasAttribute("data-download")) return;
    if (form.dataset.busy) {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    // After the browser has read the form, so the button pressed is still part of what is sent.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Back to a page the browser kept: its form may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.busy;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });

  function showFirstError() {
    var field = document.querySelector("form [aria-invalid=true], form .is-invalid");
    var message = document.querySelector("form .invalid-feedback, form .alert-danger[role=alert]");
    if (!field && message) {
      field = (message.closest(".mb-3") || message).querySelector("input:not([type=hidden]), select, textarea");
    }
    var target = field ? field.closest(".mb-3") || field : message;
    if (!target) return;
    target.scrollIntoView({ block: "center", behavior: "instant" });  // not smooth: in view at once
    if (field) field.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setWidths(document);
  });
  // After the styles and fonts have laid the page out, or the scroll lands short of the field.
  window.addEventListener("load", showFirstError);
  document.addEventListener("htmx:load", function (event) {
    setWidths(event.detail.elt.parentElement || document);
  });
})();
