/* Quick exit, after GOV.UK's "Exit this page": without JavaScript the link simply leaves.
   With it: the link acts as a button (click, Enter or Space), and pressing Shift three times
   within 5 seconds does the same, but not when Shift is held to type a capital letter.
   The page is hidden at once under a blank overlay, then replaced by the neutral site. */
(function () {
  "use strict";
  // Marks that the script runs: the "press Shift three times" hint needs it (site.css).
  document.documentElement.classList.add("js");
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

  // What went wrong, in view: the error summary, or else a notice that says it.
  var summary = document.querySelector("[data-error-summary]") ||
    document.querySelector("[data-focus-notice]");
  if (summary) { summary.focus(); }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.body.classList.remove("qe-active");
      var overlay = document.querySelector(".qe-overlay");
      if (overlay) { overlay.parentNode.removeChild(overlay); }
    }
  });
})();

/* The help form. Without JavaScript every contact field shows, each saying which contact
   method it is for, and the words above the form suit whoever writes. With it: only the
   fields for the chosen method show, the method's own field marked required, and the
   others are disabled so that nothing typed in a hidden field is sent; and the texts
   marked data-for-whom follow "Who are you asking for?". */
(function () {
  "use strict";
  var form = document.querySelector("form.help-form");
  if (!form) { return; }

  function chosen(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : "";
  }

  function lists(element, attribute, value) {
    return (element.getAttribute(attribute) || "").split(" ").indexOf(value) !== -1;
  }

  function followMethod() {
    var method = chosen("contact_method") || "receipt";
    var blocks = form.querySelectorAll("[data-contact-for]");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var shown = lists(block, "data-contact-for", method);
      var needed = shown && block.hasAttribute("data-needed");
      block.hidden = !shown;
      var controls = block.querySelectorAll("input, textarea, select");
      for (var j = 0; j < controls.length; j++) {
        controls[j].disabled = !shown;
        if (block.hasAttribute("data-needed")) { controls[j].required = needed; }
      }
      var mark = block.querySelector("[data-needed-mark]");
      if (mark) { mark.hidden = !needed; }
    }
  }

  function followWho() {
    var who = chosen("for_whom") || "none";
    var texts = document.querySelectorAll("[data-for-whom]");
    for (var i = 0; i < texts.length; i++) {
      texts[i].hidden = !lists(texts[i], "data-for-whom", who);
    }
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "contact_method") { followMethod(); }
    if (name === "for_whom") { followWho(); }
  });
  followMethod();
  followWho();
})();
