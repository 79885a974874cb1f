// The HTML report's behavior: keyword filtering and expanding. The page is complete without it.
(function () {
  "use strict";
  var active = null;
  function filter(kw) {
    active = (active === kw) ? null : kw;
    document.querySelectorAll("tr.test").forEach(function (row) {
      var kws = (row.getAttribute("data-keywords") || "").split(" ");
      row.classList.toggle("hidden", active !== null && kws.indexOf(active) < 0);
    });
    document.querySelectorAll("a.kw").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-kw") === active);
    });
    document.querySelectorAll(".filter").forEach(function (p) {
      p.classList.toggle("on", active !== null);
      p.querySelector(".kwname").textContent = active || "";
    });
    // The filter is part of the address, so a filtered view can be linked.
    history.replaceState(null, "", active === null ? "#" : "#kw=" + encodeURIComponent(active));
  }
  function expand(which) {
    document.querySelectorAll("details.test").forEach(function (d) {
      d.open = which === "all" || d.classList.contains(which);
    });
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("a.kw");
    if (a) { ev.preventDefault(); filter(a.getAttribute("data-kw")); return; }
    var b = ev.target.closest("[data-expand]");
    if (b) { ev.preventDefault(); expand(b.getAttribute("data-expand")); }
  });
  window.wirecraftFilter = filter;
  // Say on the page that the script ran and the style applies (the -l check reads this).
  function ready() {
    if (location.hash.indexOf("#kw=") === 0) {
      filter(decodeURIComponent(location.hash.slice(4)));
    }
    var root = document.documentElement;
    root.setAttribute("data-script", "ready");
    var probe = document.querySelector(".filter");
    if (probe && window.getComputedStyle(probe).display === "none") {
      root.setAttribute("data-style", "ready");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
