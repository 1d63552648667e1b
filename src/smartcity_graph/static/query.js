// The query page: Yasgui on this server's own /sparql, with the README's example queries as
// tabs, configured so that it never contacts another host.
(function () {
  "use strict";
  var ENDPOINT = new URL("sparql", document.baseURI).href;
  document.getElementById("endpoint").textContent = ENDPOINT;

  // The class and property autocompleters query an external vocabulary service: keep only the
  // local ones. (Overwrite the default list: config arrays are merged index by index.)
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  // Prefix completion uses the list bundled in the script, never prefix.cc.
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: ENDPOINT }]; } },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: null,
    autoAddOnInit: false,
    yasr: { defaultPlugin: "table" }
  });

  fetch(new URL("static/examples.json", document.baseURI).href)
    .then(function (response) { return response.json(); })
    .then(function (examples) {
      var first = null;
      examples.forEach(function (example, index) {
        var tab = yasgui.addTab(index === 0, {
          name: example.name,
          yasqe: { value: example.query },
          requestConfig: { endpoint: ENDPOINT }
        });
        if (index === 0) { first = tab; }
      });
      if (first) { yasgui.selectTabId(first.getId()); }
      window.yasgui = yasgui;
    });
})();
