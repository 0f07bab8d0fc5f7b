// Progressive touches only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The entity highlight can hide, so the quotes stand out on their own.
  var toggle = document.getElementById("toggle-entities");
  if (toggle) {
    toggle.addEventListener("change", function () {
      document.body.classList.toggle("no-entities", !toggle.checked);
    });
  }
  // A quote reached through a link is scrolled to the middle of the screen rather than the top edge.
  if (location.hash.indexOf("#q-") === 0 || location.hash === "#span") {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { target.scrollIntoView({block: "center"}); }
  }
});
