// The query page: Yasgui on this server's own /sparql, with the README's example queries as
// tabs, configured so that it never contacts another host.
//
// What this script adds to Yasgui (each part is a section below):
//  - results: our IRIs link to their pages on this server, literals are shown plainly by
//    default, and a ?xLabel (or a ?label right after ?x) column gives ?x its link text;
//  - links: /sparql?query=... opens with that query in a tab of its own and runs it, and the
//    share button gives a link of that form;
//  - keyboard: Esc, then Tab, leaves the editor (a hint under each editor says so);
//  - names: every input, select and textarea Yasgui draws gets an accessible name;
//  - tabs: the tab list holds only tabs (the "new tab" button is beside it), and a tab
//    names its panel (aria-controls) once the panel exists.
(function () {
  "use strict";
  var container = document.getElementById("yasgui");
  // Our permanent base IRI, from the server (spelled once, in namespaces.py).
  var BASE = container.getAttribute("data-base");
  // This server's root: the query page lives at {ROOT}sparql.
  var ROOT = new URL("./", document.baseURI).href;
  var ENDPOINT = new URL("sparql", ROOT).href;
  document.getElementById("endpoint").textContent = ENDPOINT;

  // -- Yasqe: nothing leaves this server, and the editor fits its query ---------------------

  // The class and property autocompleters query an external vocabulary service: keep only the
  // local ones. (Overwrite the default list: config arrays are merged index by index.)
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  // Prefix completion uses the list bundled in the script, never prefix.cc.
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  // The editor is as tall as its query (query.css): CodeMirror draws every line.
  Yasgui.Yasqe.defaults.viewportMargin = Infinity;

  // -- Results: local links, plain literals, labels as link text -----------------------------

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Where a link to *iri* goes: our IRIs to the same path on this server, others unchanged.
  function localHref(iri) {
    return iri.indexOf(BASE) === 0 ? ROOT + iri.slice(BASE.length) : iri;
  }

  // The column whose literal values label the column *index*: ?xLabel for ?x, or a ?label
  // column right after it; -1 if none.
  function labelColumn(variables, index) {
    var named = variables.indexOf(variables[index] + "Label");
    if (named >= 0) return named;
    return variables[index + 1] === "label" ? index + 1 : -1;
  }

  function prefixed(iri, prefixes) {
    for (var name in prefixes) {
      var namespace = prefixes[name];
      if (namespace && iri.indexOf(namespace) === 0 && iri.length > namespace.length) {
        return name + ":" + iri.slice(namespace.length);
      }
    }
    return null;
  }

  function iriCell(iri, label, prefixes, compact) {
    var short = prefixed(iri, prefixes);
    var text = label !== null ? label : short !== null ? short : iri;
    var link =
      "<a class='iri' href='" + escapeHtml(localHref(iri)) + "'" +
      (text !== iri ? " title='" + escapeHtml(iri) + "'" : "") + ">" + escapeHtml(text) + "</a>";
    // The full view shows a bare IRI in angle brackets, as Yasr does.
    var brackets = !compact && label === null && short === null;
    return "<div><span>" + (brackets ? "&lt;" + link + "&gt;" : link) + "</span></div>";
  }

  // Yasr's table, with its column renderers (the DataTables render hook of each column)
  // wrapped: IRI cells are drawn by iriCell, everything else as Yasr draws it.
  var Table = Yasgui.Yasr.plugins.table;
  class LocalTable extends Table {
    getColumns() {
      var columns = super.getColumns();
      if (!this.yasr.results) return columns;
      var variables = this.yasr.results.getVariables();
      var prefixes = this.yasr.getPrefixes();
      var table = this;
      columns.forEach(function (column, position) {
        if (position === 0) return; // the row numbers
        var index = position - 1;
        var labels = labelColumn(variables, index);
        var render = column.render;
        column.render = function (data, type, row, meta) {
          if (type !== "display" || !data || data.type !== "uri") {
            return render(data, type, row, meta);
          }
          var label = labels >= 0 ? row[labels + 1] : "";
          var text = label && label.type === "literal" ? label.value : null;
          return iriCell(data.value, text, prefixes, table.persistentConfig.compact);
        };
      });
      return columns;
    }
  }
  Yasgui.Yasr.registerPlugin("table", LocalTable);
  // The simple view by default: "India", not "India"@en; 36, not "36"^^xsd:integer.
  Yasgui.Yasr.defaults.plugins.table.dynamicConfig = { compact: true };

  // -- Links: /sparql?query=... ----------------------------------------------------------------

  // The protocol's dataset parameters a link may carry, by the names a link may give them
  // (Yasgui's own share links say defaultGraph and namedGraph).
  var GRAPH_PARAMS = {
    "default-graph-uri": "default-graph-uri",
    "named-graph-uri": "named-graph-uri",
    defaultGraph: "default-graph-uri",
    namedGraph: "named-graph-uri"
  };

  // The query a link opens the page with, and the dataset parameters that go with it: from
  // ?query=... (share links, "open in SPARQL" links), or #query=... (links made by Yasgui's
  // own share button). Null without a query.
  function linkedQuery() {
    var params = new URLSearchParams(window.location.search);
    if (!params.get("query") && window.location.hash.length > 1) {
      params = new URLSearchParams(window.location.hash.slice(1));
    }
    var query = params.get("query");
    if (!query) return null;
    var args = [];
    params.forEach(function (value, key) {
      if (GRAPH_PARAMS.hasOwnProperty(key)) args.push({ name: GRAPH_PARAMS[key], value: value });
    });
    return { query: query, args: args };
  }

  // A share link is {ROOT}sparql?query=... with the tab's protocol parameters: a browser
  // opens the page with it, a SPARQL client gets the same results from it. (The dataset goes
  // as request arguments: Yasqe 4.6 sends a tab's named graphs, but not its default graphs.)
  Yasgui.Tab.prototype.getShareableLink = function () {
    var share = this.getShareObject();
    var params = new URLSearchParams();
    params.append("query", share.query);
    (share.args || []).forEach(function (arg) {
      params.append(arg.name, arg.value);
    });
    (share.namedGraphs || []).forEach(function (graph) {
      params.append("named-graph-uri", graph);
    });
    return ENDPOINT + "?" + params.toString().replace(/\+/g, "%20");
  };

  // -- Keyboard: Esc, then Tab, leaves the editor --------------------------------------------

  // CodeMirror keeps Tab for indenting; Yasqe's Esc key takes the focus out of the editor, so
  // that the next Tab goes on to the next control. Each editor says so, and its text field
  // is described by that hint.
  var HINT = document.getElementById("editor-keys-text").content.textContent.replace(/\s+/g, " ");
  var hints = 0;

  function describeEditor(textarea) {
    var editor = textarea.closest(".yasqe");
    if (!editor || editor.nextElementSibling && editor.nextElementSibling.matches(".editor-keys")) {
      return;
    }
    var hint = document.createElement("p");
    hint.className = "editor-keys";
    hint.id = "editor-keys-" + ++hints;
    hint.textContent = HINT.trim();
    editor.insertAdjacentElement("afterend", hint);
    textarea.setAttribute("aria-describedby", hint.id);
  }

  // -- Names: every field Yasgui draws is labelled -------------------------------------------

  var ids = 0;

  function idOf(element) {
    if (!element.id) element.id = "yasgui-label-" + ++ids;
    return element.id;
  }

  function sectionLabel(field) {
    var section = field.closest(".requestConfigWrapper");
    return section ? section.querySelector(":scope > .label") : null;
  }

  // How to name a field (or a button marked only by a symbol) Yasgui leaves unnamed, by where
  // it is; first match wins.
  var NAMES = [
    ["button.clearEndpointBtn", function () { return "Clear the endpoint"; }],
    [".CodeMirror textarea", function () { return "SPARQL query"; }],
    [".autocompleteWrapper input", function () { return "SPARQL endpoint"; }],
    ["[role=tab] input", function () { return "Tab name"; }],
    [".yasqe_sharePopup input", function () { return "Link to this query"; }],
    [".pageSizeWrapper select", function (field) {
      var label = field.parentElement.querySelector(".pageSizerLabel");
      return label ? { labelledby: idOf(label) } : "Page size";
    }],
    [".selector select", function (field) {
      var label = field.parentElement.querySelector(".selectorLabel");
      var section = sectionLabel(field);
      return { labelledby: [section, label].filter(Boolean).map(idOf).join(" ") };
    }],
    [".textRow input", function (field) {
      var section = sectionLabel(field);
      var part = field.previousElementSibling ? "value" : "name";
      return (section ? section.textContent.trim() + ": " : "") + part;
    }],
    [".graphInput input", function (field) {
      var section = sectionLabel(field);
      return section ? { labelledby: idOf(section) } : "Graph IRI";
    }]
  ];

  function hasName(field) {
    return Boolean(
      (field.getAttribute("aria-label") || "").trim() ||
        field.getAttribute("aria-labelledby") ||
        (field.labels && field.labels.length) ||
        (field.tagName === "BUTTON" && /[\p{L}\p{N}]/u.test(field.textContent))
    );
  }

  function nameFields(root) {
    root.querySelectorAll("input, select, textarea, button").forEach(function (field) {
      if (field.matches(".CodeMirror textarea")) describeEditor(field);
      if (field.type === "hidden" || hasName(field)) return;
      for (var i = 0; i < NAMES.length; i++) {
        if (field.matches(NAMES[i][0])) {
          var name = NAMES[i][1](field);
          if (typeof name === "string") field.setAttribute("aria-label", name);
          else if (name.labelledby) field.setAttribute("aria-labelledby", name.labelledby);
          return;
        }
      }
      var fallback = field.getAttribute("placeholder") || field.getAttribute("title");
      if (fallback) field.setAttribute("aria-label", fallback);
    });
  }

  // -- Tabs: a list of tabs only, each naming a panel that exists ------------------------------

  // Yasgui puts its "+" button inside the tab list, where only tabs may be: a button of our
  // own, beside the list, does the same, and Yasgui's is hidden (query.css).
  function newTabButton(yasgui) {
    var list = container.querySelector(".tabsList");
    var bar = document.createElement("div");
    bar.className = "tab-bar";
    list.parentNode.insertBefore(bar, list);
    bar.appendChild(list);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "new-tab";
    button.textContent = "New tab";
    button.addEventListener("click", function () {
      yasgui.addTab(true);
    });
    bar.appendChild(button);
  }

  // Yasgui draws a tab's panel when the tab is first shown, but each tab names its panel in
  // aria-controls from the start: name it only while it exists.
  function linkPanels() {
    container.querySelectorAll("[role=tab]").forEach(function (tab) {
      var panel = tab.getAttribute("aria-controls") || tab.getAttribute("data-panel");
      if (!panel) return;
      tab.setAttribute("data-panel", panel);
      if (!document.getElementById(panel)) tab.removeAttribute("aria-controls");
      else if (tab.getAttribute("aria-controls") !== panel) tab.setAttribute("aria-controls", panel);
    });
  }

  // Yasgui draws tabs, editors, result tables and popups when they are first needed: name
  // and link whatever it adds. (Only attributes change here, which the observer ignores.)
  new MutationObserver(function () {
    nameFields(container);
    linkPanels();
  }).observe(container, { childList: true, subtree: true });

  // -- The page --------------------------------------------------------------------------------

  var yasgui = new Yasgui(container, {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: ENDPOINT }]; } },
    copyEndpointOnNewTab: true,
    // Links are read below (linkedQuery): Yasgui's own reading writes a link's endpoint and
    // other parameters into the request defaults of every tab it opens later.
    populateFromUrl: false,
    persistenceId: null,
    autoAddOnInit: false,
    // The page, not the editor, has the focus when it opens or a tab is chosen.
    autofocus: false,
    yasr: { defaultPlugin: "table" }
  });
  window.yasgui = yasgui;
  newTabButton(yasgui);

  var linked = linkedQuery();
  if (linked) {
    var tab = yasgui.addTab(true, {
      name: "Query from link",
      yasqe: { value: linked.query },
      requestConfig: { endpoint: ENDPOINT, args: linked.args }
    });
    yasgui.selectTabId(tab.getId());
    tab.query().catch(function () {});
  }

  fetch(new URL("static/examples.json", ROOT).href)
    .then(function (response) { return response.json(); })
    .then(function (examples) {
      var first = null;
      examples.forEach(function (example, index) {
        var added = yasgui.addTab(!linked && index === 0, {
          name: example.name,
          yasqe: { value: example.query },
          requestConfig: { endpoint: ENDPOINT }
        });
        if (index === 0) first = added;
      });
      if (first && !linked) yasgui.selectTabId(first.getId());
      container.setAttribute("data-ready", "true");
    });
})();
