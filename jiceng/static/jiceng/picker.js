/* The area and org picker (jiceng/core/picker.py): a code box becomes a name box.
 *
 *   <input name="area" value="320102002" data-picker="/areas/pick/">
 *
 * The input keeps its id and label but gives its name to a hidden input that carries the code, so
 * the form submits exactly what it did before (?area=320102002) and the FilterSets, the API and
 * the exports need nothing new. The box shows the chosen node's name; typing part of a name or a
 * code lists at most 20 nodes in the user's scope (the server decides the scope), with their path;
 * 选择 opens the tree at the top of the user's scope, and 下级 goes down a level.
 * Keys: ↓/↑ move, Enter chooses, → goes down, ← goes up, Esc closes. A code typed in whole (digits)
 * is taken as it is. Without JavaScript the input stays a plain code box.
 */
(function () {
  "use strict";

  var seq = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function isDigits(text) {
    return /^[0-9]+$/.test(text);
  }

  function enhance(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var url = input.dataset.picker;
    var id = input.id || "picker-" + ++seq;
    input.id = id;

    var hidden = element("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.value.trim();
    hidden.dataset.pickerValue = "";
    input.removeAttribute("name");
    input.removeAttribute("inputmode");
    input.classList.remove("code");

    var wrap = element("div", "jc-picker input-group");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(hidden);
    var browse = element("button", "btn jc-picker-browse", "选择");
    browse.type = "button";
    browse.setAttribute("aria-label", "按层级选择");
    browse.setAttribute("aria-controls", id + "-list");
    wrap.appendChild(browse);
    var list = element("ul", "jc-picker-list");
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrap.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.autocomplete = "off";

    var options = [];
    var active = -1;
    var request = 0;
    var timer = null;
    var chosenText = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(node, quietly) {
      hidden.value = node.code;
      input.value = node.name;
      input.title = node.path;
      chosenText = node.name;
      input.setCustomValidity("");
      close();
      if (!quietly) hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function fetchNodes(params) {
      var mine = ++request;
      var query = new URLSearchParams(params).toString();
      return fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [], more: false, parent: null };
        })
        .then(function (answer) {
          return mine === request ? answer : null;
        });
    }

    function addOption(node, label, extraClass) {
      var option = element("li", "jc-picker-option" + (extraClass ? " " + extraClass : ""));
      option.id = id + "-opt-" + options.length;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var text = element("span", "jc-picker-text");
      text.appendChild(element("span", "jc-picker-name", label || node.name));
      if (node.path && node.path !== node.name) text.appendChild(element("span", "jc-picker-path", node.path));
      option.appendChild(text);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      option.addEventListener("click", function () {
        choose(node);
      });
      if (node.children && !extraClass) {
        var down = element("button", "btn btn-sm jc-picker-down", "下级");
        down.type = "button";
        down.tabIndex = -1;
        down.setAttribute("aria-label", "查看" + node.name + "的下级");
        down.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        down.addEventListener("click", function (event) {
          event.stopPropagation();
          open({ parent: node.code });
        });
        option.appendChild(down);
      }
      option._node = node;
      list.appendChild(option);
      options.push(option);
    }

    function show(answer, browsing) {
      if (!answer) return;
      list.replaceChildren();
      options = [];
      list._parent = browsing ? answer.parent : null;
      list._browsing = browsing;
      if (browsing && answer.parent) {
        var head = element("li", "jc-picker-head");
        head.setAttribute("role", "presentation");
        var up = element("button", "btn btn-sm jc-picker-up", "‹ 上一级");
        up.type = "button";
        up.tabIndex = -1;
        up.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        up.addEventListener("click", function () {
          goUp();
        });
        head.appendChild(up);
        head.appendChild(element("span", "jc-picker-path", answer.parent.path));
        list.appendChild(head);
        addOption(answer.parent, "全部（" + answer.parent.name + "）", "jc-picker-whole");
      }
      answer.results.forEach(function (node) {
        addOption(node);
      });
      if (!answer.results.length && !(browsing && answer.parent)) {
        list.appendChild(element("li", "jc-picker-empty", "没有找到，请换个名称或编码试试"));
      }
      if (answer.more) {
        list.appendChild(element("li", "jc-picker-empty", browsing ? "只列出前面一部分，请输入名称查找" : "结果较多，请输入更完整的名称"));
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(options.length ? 0 : -1);
    }

    function open(params) {
      fetchNodes(params).then(function (answer) {
        show(answer, "parent" in params);
      });
      input.focus();
    }

    function goUp() {
      var parent = list._parent;
      if (parent) open({ parent: parent.up || "" });
    }

    function search() {
      var text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      fetchNodes({ q: text }).then(function (answer) {
        show(answer, false);
      });
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      input.setCustomValidity("");
      input.title = "";
      chosenText = "";
      // A whole code typed in is taken as it is; a name counts only once it is chosen.
      hidden.value = isDigits(text) ? text : "";
      clearTimeout(timer);
      if (text) timer = setTimeout(search, 250);
      else close();
    });

    input.addEventListener("keydown", function (event) {
      var opened = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!opened) {
          if (input.value.trim() && !chosenText) search();
          else open({ parent: "" });
        } else if (options.length) setActive(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp" && opened) {
        event.preventDefault();
        setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && opened && active >= 0) {
        event.preventDefault();
        choose(options[active]._node);
      } else if (event.key === "ArrowRight" && opened && active >= 0) {
        var node = options[active]._node;
        if (node.children && !options[active].classList.contains("jc-picker-whole")) {
          event.preventDefault();
          open({ parent: node.code });
        }
      } else if (event.key === "ArrowLeft" && opened && list._parent) {
        event.preventDefault();
        goUp();
      } else if (event.key === "Escape" && opened) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      setTimeout(function () {
        if (document.activeElement !== input && !wrap.contains(document.activeElement)) close();
      }, 150);
    });

    browse.addEventListener("click", function () {
      if (!list.hidden && list._browsing) close();
      else open({ parent: "" });
    });

    var form = input.form;
    if (form) {
      form.addEventListener("submit", function (event) {
        var text = input.value.trim();
        if (text && !hidden.value) {
          event.preventDefault();
          event.stopImmediatePropagation();
          input.setCustomValidity("请从下拉列表中选择一项，或清空此项。");
          input.reportValidity();
          search();
        }
      });
    }

    // A value that came with the page (the URL, a form sent back) is shown by its name.
    if (hidden.value) {
      fetchNodes({ code: hidden.value }).then(function (answer) {
        if (answer && answer.results.length && hidden.value === answer.results[0].code && !input.matches(":focus")) {
          choose(answer.results[0], true);
        }
      });
    }
  }

  function enhanceAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input[data-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  } else {
    enhanceAll(document);
  }
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.target);
  });
})();
