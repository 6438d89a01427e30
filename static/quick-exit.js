/* Quick exit, after GOV.UK's "Exit this page": without JavaScript the link simply leaves.
   With it: the link acts as a button (click, Enter or Space), and pressing Shift three times
   within 5 seconds does the same, but not when Shift is held to type a capital letter.
   The page is hidden at once under a blank overlay, then replaced by the neutral site. */
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) { return; }
  var url = link.getAttribute("href");
  var presses = 0, timer = null, shiftDown = false, usedWithOther = false;

  function exitPage(event) {
    if (event) { event.preventDefault(); }
    document.body.classList.add("qe-active");
    var overlay = document.createElement("div");
    overlay.className = "qe-overlay";
    document.body.appendChild(overlay);
    document.title = "\u2060";
    window.location.replace(url);
  }

  function reset() { presses = 0; if (timer) { clearTimeout(timer); timer = null; } }

  link.setAttribute("role", "button");
  link.addEventListener("click", exitPage);
  link.addEventListener("keydown", function (event) {
    if (event.key === " " || event.key === "Spacebar") { exitPage(event); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!shiftDown) { shiftDown = true; usedWithOther = false; }
      return;
    }
    usedWithOther = true;
    reset();
  }, true);

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { return; }
    shiftDown = false;
    if (usedWithOther) { usedWithOther = false; reset(); return; }
    presses += 1;
    if (!timer) { timer = setTimeout(reset, 5000); }
    if (presses >= 3) { reset(); exitPage(null); }
  }, true);

  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.body.classList.remove("qe-active");
      var overlay = document.querySelector(".qe-overlay");
      if (overlay) { overlay.parentNode.removeChild(overlay); }
    }
  });
})();
