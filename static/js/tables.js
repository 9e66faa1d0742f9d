// Tables that do not fit their box become cards, one per row, each value
// under its column's name. The script names the cells and decides on load and
// on resize; without it a wide table scrolls sideways in its box.
(function () {
  "use strict";

  // Each column's name: the header cells above it, top to bottom, so that a
  // column under a group heading is named "group – column".
  function columnNames(table) {
    var grid = [];
    Array.prototype.forEach.call(table.querySelectorAll("thead tr"), function (row, r) {
      grid[r] = grid[r] || [];
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        while (grid[r][column] !== undefined) { column += 1; }
        var text = cell.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim();
        for (var dr = 0; dr < (cell.rowSpan || 1); dr += 1) {
          grid[r + dr] = grid[r + dr] || [];
          for (var dc = 0; dc < (cell.colSpan || 1); dc += 1) {
            grid[r + dr][column + dc] = text;
          }
        }
        column += cell.colSpan || 1;
      });
    });
    var names = [];
    grid.forEach(function (row) {
      row.forEach(function (text, column) {
        var parts = names[column] || [];
        if (text && parts[parts.length - 1] !== text) { parts.push(text); }
        names[column] = parts;
      });
    });
    return names.map(function (parts) { return (parts || []).join(" – "); });
  }

  function label(table) {
    var names = columnNames(table);
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && names[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column]);
        }
        column += span;
      });
    });
  }

  function fit(wrap) {
    wrap.classList.remove("is-stacked");
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.classList.add("is-stacked");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wraps = Array.prototype.filter.call(
      document.querySelectorAll(".table-wrap"),
      function (wrap) { return !wrap.hasAttribute("data-no-stack") && wrap.querySelector("thead"); }
    );
    wraps.forEach(function (wrap) {
      label(wrap.querySelector("table"));
      wrap.classList.add("can-stack");
      fit(wrap);
    });
    // A table in a closed disclosure has no width until it is opened.
    document.addEventListener("toggle", function (event) {
      wraps.forEach(function (wrap) {
        if (event.target.contains(wrap)) { fit(wrap); }
      });
    }, true);
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        wraps.forEach(fit);
      });
    });
  });
})();
