// Suggestions under the search box as the buyer types: capabilities (which filter the search)
// and listings (which open directly). Without JavaScript the form works as a plain search.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var box = document.getElementById(input.getAttribute("aria-controls"));
  var timer = null;
  var latest = 0;

  function item(href, text, detail) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    if (detail) {
      var small = document.createElement("span");
      small.className = "meta";
      small.textContent = " · " + detail;
      link.appendChild(small);
    }
    li.appendChild(link);
    return li;
  }

  function heading(text) {
    var li = document.createElement("li");
    li.className = "suggestions-heading";
    li.textContent = text;
    return li;
  }

  function show(data) {
    box.replaceChildren();
    if (data.capabilities.length) {
      box.appendChild(heading(box.dataset.capabilitiesLabel));
      data.capabilities.forEach(function (c) { box.appendChild(item(c.url, c.label)); });
    }
    if (data.listings.length) {
      box.appendChild(heading(box.dataset.listingsLabel));
      data.listings.forEach(function (l) { box.appendChild(item(l.url, l.title, l.provider)); });
    }
    box.hidden = !box.children.length;
    input.setAttribute("aria-expanded", String(!box.hidden));
  }

  function hide() {
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { hide(); return; }
    timer = setTimeout(function () {
      var request = ++latest;
      fetch(form.dataset.suggestUrl + "?" + new URLSearchParams({ q: text }), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && request === latest) show(data); })
        .catch(hide);
    }, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
    if (event.key === "ArrowDown" && !box.hidden) {
      event.preventDefault();
      var first = box.querySelector("a");
      if (first) first.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) hide();
  });
})();
