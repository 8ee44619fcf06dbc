// Apollo Gateway in front of ldp-graph and the other subgraphs.
//
//   node gateway.mjs [--port 4000] [--config supergraph.yaml] [--subgraph name=url ...]
//                    [--supergraph supergraph.graphql] [--expose-query-plan]
//
// By default it composes at start-up from the running subgraphs' `_service { sdl }`
// (IntrospectAndCompose), at the routing URLs in supergraph.yaml or those given with
// --subgraph; with --supergraph it serves a supergraph composed beforehand (compose.mjs or
// rover). If composition fails it exits non-zero. The caller's Authorization header is passed
// on to every subgraph, so ldp-graph sees the same principal as it would when called directly.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import YAML from "yaml";

const { values: options } = parseArgs({
  options: {
    host: { type: "string", default: process.env.GATEWAY_HOST ?? "127.0.0.1" },
    port: { type: "string", default: process.env.GATEWAY_PORT ?? "4000" },
    config: { type: "string", default: fileURLToPath(new URL("supergraph.yaml", import.meta.url)) },
    subgraph: { type: "string", multiple: true, default: [] },
    supergraph: { type: "string" },
    // The gateway's query plan in each response's extensions when the request carries an
    // `Apollo-Query-Plan-Experimental` header: for tests and debugging, not for production.
    "expose-query-plan": { type: "boolean", default: false },
  },
});

function subgraphList() {
  if (options.subgraph.length > 0) {
    return options.subgraph.map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`--subgraph wants name=url, not ${JSON.stringify(pair)}`);
      return { name: pair.slice(0, at), url: pair.slice(at + 1) };
    });
  }
  const config = YAML.parse(readFileSync(options.config, "utf8"));
  return Object.entries(config.subgraphs ?? {}).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
  }));
}

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.authorization) request.http.headers.set("authorization", context.authorization);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: options.supergraph
    ? readFileSync(options.supergraph, "utf8")
    : new IntrospectAndCompose({ subgraphs: subgraphList() }),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
  __exposeQueryPlanExperimental: options["expose-query-plan"],
});

const server = new ApolloServer({
  gateway,
  // Subgraph errors reach the client; the gateway's own stack traces (paths on this machine) don't.
  includeStacktraceInErrorResponses: false,
});
const { url } = await startStandaloneServer(server, {
  listen: { host: options.host, port: Number(options.port) },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`gateway ready at ${url}`);
