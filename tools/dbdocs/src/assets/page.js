// Filter: narrows tables, their queries, the catalogue and the diagram as you type.
// Every whitespace-separated word must appear in a table's name, columns, index or check names
// (then the whole table shows) or in a query's name, file, doc or tables (then that query shows).
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var noMatch = document.getElementById("no-match");
  var catalogue = document.getElementById("queries");
  var sidebar = document.getElementById("sidebar");
  var menu = document.querySelector(".menu");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.table-card"));
  var rows = Array.prototype.slice.call(document.querySelectorAll(".catalogue-grid tbody tr"));
  var tocItems = Array.prototype.slice.call(document.querySelectorAll("[data-toc]"));
  var nodes = Array.prototype.slice.call(document.querySelectorAll(".er-node"));
  var edges = Array.prototype.slice.call(document.querySelectorAll(".er-edge"));

  function matches(text, terms) {
    for (var i = 0; i < terms.length; i++) {
      if (text.indexOf(terms[i]) < 0) return false;
    }
    return true;
  }

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var filtering = terms.length > 0;
    var shown = {};
    var tableCount = 0;
    sections.forEach(function (section) {
      var own = matches(section.getAttribute("data-search"), terms);
      var anyQuery = false;
      section.querySelectorAll("article.query").forEach(function (query) {
        var show = own || matches(query.getAttribute("data-search"), terms);
        query.hidden = !show;
        if (show) anyQuery = true;
      });
      var show = own || anyQuery;
      section.hidden = !show;
      if (show) {
        shown[section.getAttribute("data-table")] = true;
        tableCount++;
      }
    });
    var queryCount = 0;
    rows.forEach(function (row) {
      var show = matches(row.getAttribute("data-search"), terms);
      row.hidden = !show;
      if (show) queryCount++;
    });
    catalogue.hidden = queryCount === 0;
    tocItems.forEach(function (item) {
      item.hidden = !shown[item.getAttribute("data-toc")];
    });
    nodes.forEach(function (node) {
      node.classList.toggle("dim", filtering && !shown[node.getAttribute("data-table")]);
    });
    edges.forEach(function (edge) {
      var lit = shown[edge.getAttribute("data-from")] && shown[edge.getAttribute("data-to")];
      edge.classList.toggle("dim", filtering && !lit);
    });
    status.textContent = filtering
      ? tableCount + " of " + sections.length + " tables, " + queryCount + " of " + rows.length + " queries"
      : "";
    noMatch.hidden = !(filtering && tableCount === 0 && queryCount === 0);
  }

  input.addEventListener("input", apply);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      input.value = "";
      apply();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    }
  });
  menu.addEventListener("click", function () {
    var open = sidebar.classList.toggle("open");
    menu.setAttribute("aria-expanded", open ? "true" : "false");
  });
  sidebar.addEventListener("click", function (event) {
    if (event.target.closest("a")) {
      sidebar.classList.remove("open");
      menu.setAttribute("aria-expanded", "false");
    }
  });
  // The contents mark the section being read.
  if ("IntersectionObserver" in window) {
    var links = {};
    document.querySelectorAll(".toc a[href^='#']").forEach(function (link) {
      links[link.getAttribute("href").slice(1)] = link;
    });
    var current = null;
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting || !links[entry.target.id]) return;
          if (current) current.classList.remove("current");
          current = links[entry.target.id];
          current.classList.add("current");
        });
      },
      { rootMargin: "-20% 0px -70% 0px" }
    );
    document.querySelectorAll("main > section[id]").forEach(function (section) {
      observer.observe(section);
    });
  }
  // Following a link to a query opens its SQL.
  function openQuery() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.matches("article.query")) {
      var details = target.querySelector("details");
      if (details) details.open = true;
    }
  }
  window.addEventListener("hashchange", openQuery);
  openQuery();
  // A link may carry a filter: index.html?q=accounts
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) input.value = q;
  if (input.value) apply();
})();
