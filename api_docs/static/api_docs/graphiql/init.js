/* Renders GraphiQL full-page into #graphiql, using only the vendored UMD builds
 * in this folder (window.React, window.ReactDOM, window.GraphiQL).
 * Configuration comes from data-* attributes on the #graphiql element and from
 * the JSON data element #graphiql-examples (the example queries, one tab each),
 * so the page needs no inline script. */
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

  // One tab per example query (api_docs/graphql_examples/, docs/research.md).
  // GraphiQL uses them when it has no tabs saved from an earlier visit.
  function exampleTabs() {
    var data = document.getElementById("graphiql-examples");
    var examples = [];
    try {
      examples = data ? JSON.parse(data.textContent) : [];
    } catch (error) {
      examples = [];
    }
    if (!Array.isArray(examples) || !examples.length) {
      return undefined;
    }
    return examples.map(function (example) {
      return { query: example.query, variables: example.variables };
    });
  }

  var element = window.React.createElement(window.GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultTabs: exampleTabs(),
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
  });

  window.ReactDOM.createRoot(root).render(element);
})();
