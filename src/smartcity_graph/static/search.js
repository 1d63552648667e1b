// Suggestions for the search form: as the reader types, names from /search (JSON) fill the
// form's <datalist>. Without JavaScript the form still works: it submits to /search.
(function () {
  "use strict";
  document.querySelectorAll("form.search").forEach(function (form) {
    var input = form.querySelector("input[list]");
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) { return; }
        asked = text;
        var url = new URL(form.action);
        url.searchParams.set("q", text);
        fetch(url.href, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (hits) {
            if (text !== asked) { return; }
            list.replaceChildren.apply(list, hits.slice(0, 10).map(function (hit) {
              var option = document.createElement("option");
              option.value = hit.name;
              option.label = hit.kind;
              return option;
            }));
          })
          .catch(function () { /* suggestions are a convenience; the form still submits */ });
      }, 150);
    });
  });
})();
