// Django's two-box select (FilteredSelectMultiple) draws a magnifying glass
// as a <span> with an aria-label, which a span may not carry without a role.
// Once the boxes are drawn (on load), the icons are given the role of an image.
"use strict";
window.addEventListener("load", function () {
  window.setTimeout(function () {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }, 0);
});
