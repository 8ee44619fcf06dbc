// benchmarking-indicators: an example second subgraph for ldp-graph's supergraph.
//
// It owns no organisations: it extends ldp-graph's `Organisation @key(fields: "code")` with
// benchmarking values, so a gateway has to join the two subgraphs through `_entities` in
// both directions (ldp-graph's councils get indicators from here; a ranking from here gets
// council names from ldp-graph).
//
//   node indicators/server.mjs [--host 127.0.0.1] [--port 4001]

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse } from "graphql";

const here = new URL(".", import.meta.url);
const typeDefs = parse(readFileSync(new URL("schema.graphql", here), "utf8"));
const data = JSON.parse(readFileSync(new URL("data.json", here), "utf8"));
const indicatorsById = new Map(data.indicators.map((indicator) => [indicator.id, indicator]));

function valuesOf(code, period) {
  const byIndicator = data.values[code] ?? {};
  const values = [];
  for (const indicator of data.indicators) {
    for (const [year, value] of Object.entries(byIndicator[indicator.id] ?? {})) {
      if (period == null || period === year) values.push({ indicator, period: year, value });
    }
  }
  // Oldest year first, then in the order the indicators are declared.
  return values.sort((a, b) => a.period.localeCompare(b.period));
}

function ranking(id, period) {
  const indicator = indicatorsById.get(id);
  if (!indicator) {
    throw new GraphQLError(`no indicator ${JSON.stringify(id)}`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  const sign = indicator.higherIsBetter ? -1 : 1;
  return Object.entries(data.values)
    .filter(([, byIndicator]) => byIndicator[id]?.[period] != null)
    .map(([code, byIndicator]) => ({ code, value: byIndicator[id][period] }))
    .sort((a, b) => sign * (a.value - b.value) || a.code.localeCompare(b.code))
    .map(({ code, value }, index) => ({ rank: index + 1, organisation: { code }, value }));
}

const resolvers = {
  Query: {
    indicators: () => data.indicators,
    indicatorRanking: (_, { id, period }) => ranking(id, period),
  },
  Organisation: {
    // Any code is a valid reference: ldp-graph decides which organisations exist, and one
    // this service holds nothing for simply has no indicators.
    __resolveReference: ({ code }) => ({ code }),
    indicators: ({ code }, { period }) => valuesOf(code, period),
  },
};

const { values: options } = parseArgs({
  options: {
    host: { type: "string", default: process.env.INDICATORS_HOST ?? "127.0.0.1" },
    port: { type: "string", default: process.env.INDICATORS_PORT ?? "4001" },
  },
});

const server = new ApolloServer({
  schema: buildSubgraphSchema({ typeDefs, resolvers }),
  // Traces are for Apollo's hosted usage reporting, which this example does not use.
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url } = await startStandaloneServer(server, {
  listen: { host: options.host, port: Number(options.port) },
});
console.log(`benchmarking-indicators subgraph ready at ${url}`);
