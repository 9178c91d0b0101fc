/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Phone menu.
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Offer only the options that belong to the chosen parent (town → village, village → group).
  function narrow(parentSelect, childSelect, attr) {
    if (!parentSelect || !childSelect) return;
    var all = Array.prototype.slice.call(childSelect.options).map(function (o) { return o.cloneNode(true); });
    function apply() {
      var parent = parentSelect.value;
      var current = childSelect.value;
      childSelect.innerHTML = "";
      all.forEach(function (o) {
        var owner = o.getAttribute(attr);
        if (!o.value || !parent || owner === null || owner === parent) {
          childSelect.appendChild(o.cloneNode(true));
        }
      });
      childSelect.value = current;
      if (childSelect.value !== current) childSelect.value = "";
    }
    parentSelect.addEventListener("change", apply);
    apply();
  }
  document.querySelectorAll("form").forEach(function (form) {
    narrow(form.querySelector("select[name=town]"), form.querySelector("select[name=village]"), "data-town");
    narrow(form.querySelector("select[name=village]"), form.querySelector("select[name=group]"), "data-village");
  });

  // "Add another member" on the new-household page (Django formset).
  var addButton = document.querySelector("[data-add-member]");
  var template = document.getElementById("member-template");
  var rows = document.querySelector("[data-formset=members]");
  var total = document.getElementById("id_members-TOTAL_FORMS");
  if (addButton && template && rows && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild.querySelector("input, select");
      if (first) first.focus();
    });
  }
})();
