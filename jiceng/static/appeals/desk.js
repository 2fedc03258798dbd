/* The 派单台: a "select all" checkbox (data-check-all="<name>") ticks every checkbox of that name
 * in its form. Wired by a data- attribute: the content-security policy forbids inline handlers. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) return;
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });
})();
