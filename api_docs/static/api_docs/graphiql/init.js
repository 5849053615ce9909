/* Renders GraphiQL full-page into #graphiql, using only the vendored UMD builds
 * in this folder (window.React, window.ReactDOM, window.GraphiQL).
 * Configuration comes from data-* attributes on the #graphiql element, so the
 * page needs no inline script. */
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint") || "/graphql/";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var headers = {};
  var token = csrfToken();
  if (token) {
    headers["X-CSRFToken"] = token;
  }

  // GraphiQL merges the headers typed into its "Headers" editor (e.g.
  // {"Authorization": "Token <key>"}) over these, per request.
  var fetcher = window.GraphiQL.createFetcher({
    url: endpoint,
    headers: headers,
    fetch: function (url, init) {
      var options = Object.assign({}, init, { credentials: "same-origin" });
      return window.fetch(url, options);
    },
  });

  var defaultQuery = [
    "# Transparency Registry GraphQL",
    "#",
    "# To authenticate, paste into the Headers tab below:",
    '#   {"Authorization": "Token <your API token>"}',
    "#",
    "# Run a query with Ctrl-Enter or the play button.",
    "# The Docs panel (book icon, top left) lists every type.",
    "",
    "{",
    "  __typename",
    "}",
    "",
  ].join("\n");

  var element = window.React.createElement(window.GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
  });

  window.ReactDOM.createRoot(root).render(element);
})();
