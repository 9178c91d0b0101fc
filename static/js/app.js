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

  // Offer only the options that belong to the chosen parent (town → village).
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

  // A list too long to send whole (the county's 1,500 villager groups) follows its parent by
  // asking the scoped API for the chosen parent's options; the page itself offers only those
  // of the parent it was drawn with.
  function follow(parentSelect, childSelect) {
    if (!parentSelect || !childSelect) return;
    var url = childSelect.getAttribute("data-choices-url");
    var param = parentSelect.getAttribute("name");
    var blank = childSelect.options.length ? childSelect.options[0].cloneNode(true) : new Option("", "");
    parentSelect.addEventListener("change", function () {
      var parent = parentSelect.value;
      childSelect.innerHTML = "";
      childSelect.appendChild(blank.cloneNode(true));
      if (!parent) return;
      childSelect.setAttribute("aria-busy", "true");
      fetch(url + "?page_size=200&" + param + "=" + encodeURIComponent(parent), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          // A slow answer for a parent no longer chosen is dropped.
          if (parentSelect.value !== parent) return;
          data.results.forEach(function (row) { childSelect.appendChild(new Option(row.name, row.id)); });
        })
        .catch(function () { /* the list stays empty; the choice is optional */ })
        .then(function () { childSelect.removeAttribute("aria-busy"); });
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    var village = form.querySelector("select[name=village]");
    var group = form.querySelector("select[name=group]");
    narrow(form.querySelector("select[name=town]"), village, "data-town");
    if (group && group.hasAttribute("data-choices-url")) follow(village, group);
  });

  // 三(七)2: the home-check team as it is filled in. One person chosen twice, or chosen and
  // typed, is one checker. The minimum is the year's setting, written into data-team-min.
  var teamOut = document.querySelector("[data-team-count]");
  if (teamOut) {
    var teamMin = parseInt(teamOut.getAttribute("data-team-min"), 10);
    var countTeam = function () {
      var seen = {};
      document.querySelectorAll("[data-team-row]").forEach(function (row) {
        var user = row.querySelector("select[name$=_user]");
        var name = row.querySelector("input[name$=_name]");
        var key = user && user.value ? "u" + user.value : (name && name.value.trim() ? "n" + name.value.trim() : "");
        if (key) seen[key] = true;
      });
      var n = Object.keys(seen).length;
      teamOut.textContent = n + " 人" + (n >= teamMin ? "，符合要求" : "，不足 " + teamMin + " 人，不能提交");
      teamOut.className = "rule-check " + (n >= teamMin ? "ok" : "bad");
    };
    document.addEventListener("input", countTeam);
    document.addEventListener("change", countTeam);
    countTeam();
  }

  // 三(七)3: quorum and vote as the numbers are typed; the service decides. Each fraction is
  // the year's setting, written into data-numerator / data-denominator / data-label.
  var quorumOut = document.querySelector("[data-quorum]");
  var voteOut = document.querySelector("[data-vote]");
  if (quorumOut && voteOut) {
    var share = function (el) {
      return {
        n: parseInt(el.getAttribute("data-numerator"), 10),
        d: parseInt(el.getAttribute("data-denominator"), 10),
        label: el.getAttribute("data-label")
      };
    };
    var quorum = share(quorumOut);
    var pass = share(voteOut);
    var number = function (name) {
      var el = document.querySelector("input[name=" + name + "]");
      return el && el.value !== "" ? parseInt(el.value, 10) : null;
    };
    var checkMeeting = function () {
      var expected = number("expected"), present = number("present"), approvals = number("approvals");
      if (expected && present !== null) {
        // At least the quorum of those expected: present / expected >= n / d.
        var valid = present * quorum.d >= expected * quorum.n;
        quorumOut.textContent = "应到 " + expected + " 人，实到 " + present + " 人，" + (valid ? "会议有效" : "不足" + quorum.label + "，会议无效");
        quorumOut.className = "rule-check " + (valid ? "ok" : "bad");
      }
      if (present !== null && approvals !== null) {
        // More than the pass share of those present: approvals / present > n / d.
        var passed = approvals * pass.d > present * pass.n;
        voteOut.textContent = "赞成 " + approvals + " 人，" + (passed ? "评议通过" : "未超过" + pass.label + "，评议不通过");
        voteOut.className = "rule-check " + (passed ? "ok" : "bad");
      }
    };
    document.addEventListener("input", checkMeeting);
    checkMeeting();
  }

  // 三(四)2: a department's file is due by the due day of the month after its data month.
  // Say before the file is sent whether the chosen month's due day has passed.
  var periodInput = document.querySelector("input[data-due-day]");
  var lateNote = document.querySelector("[data-late-note]");
  if (periodInput && lateNote) {
    var dueDay = parseInt(periodInput.getAttribute("data-due-day"), 10);
    var todayIso = periodInput.getAttribute("data-today");
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var checkLate = function () {
      var match = /^(\d{4})-(\d{2})$/.exec(periodInput.value);
      if (!match) { lateNote.hidden = true; return; }
      var year = parseInt(match[1], 10);
      var month = parseInt(match[2], 10) + 1;
      if (month > 12) { month = 1; year += 1; }
      var due = year + "-" + pad(month) + "-" + pad(dueDay);
      var late = todayIso > due;
      lateNote.hidden = !late;
      if (late) {
        lateNote.textContent = "该月数据的报送截止日为" + year + "年" + month + "月" + dueDay + "日，今天上传将记为逾期报送（三(四)2）。";
      }
    };
    periodInput.addEventListener("input", checkLate);
    periodInput.addEventListener("change", checkLate);
    checkLate();
  }

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
