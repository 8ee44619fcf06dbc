// ldp-graph's own: start GraphiQL with one example tab per task and role. A file rather than
// an inline script so the page's Content-Security-Policy can refuse every inline script.
(function () {
  "use strict";
  var container = document.getElementById("graphiql");
  var endpoint = new URL(container.dataset.endpoint, window.location.href);
  var subscriptions = new URL(endpoint.href);
  subscriptions.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      // The headers editor's content goes with every request, and into the WebSocket's
      // connection_init payload for subscriptions.
      fetcher: GraphiQL.createFetcher({
        url: endpoint.href,
        subscriptionUrl: subscriptions.href,
      }),
      defaultTabs: JSON.parse(container.dataset.tabs),
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Bearer tokens stay out of the browser's local storage.
      shouldPersistHeaders: false,
    }),
  );
})();
