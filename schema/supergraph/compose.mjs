// Compose the supergraph described by a rover-style config with Apollo's composition library.
//
//   node compose.mjs [--config supergraph.yaml] [--output supergraph.graphql]
//
// Prints the supergraph SDL (or writes it to --output) and exits 0 only when composition gave
// no errors; otherwise prints every error with its code to stderr and exits 1. Composition
// hints (advice, not errors) go to stderr too.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import YAML from "yaml";

const { values: options } = parseArgs({
  options: {
    config: { type: "string", default: fileURLToPath(new URL("supergraph.yaml", import.meta.url)) },
    output: { type: "string" },
  },
});

async function fetchSdl(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!response.ok || body.errors || !body.data?._service?.sdl) {
    throw new Error(`${url} did not answer _service { sdl }: ${JSON.stringify(body)}`);
  }
  return body.data._service.sdl;
}

async function loadSubgraphs(configPath) {
  const config = YAML.parse(readFileSync(configPath, "utf8"));
  const base = dirname(configPath);
  return Promise.all(
    Object.entries(config.subgraphs ?? {}).map(async ([name, subgraph]) => {
      const source = subgraph.schema ?? {};
      let sdl;
      if (source.file) sdl = readFileSync(resolve(base, source.file), "utf8");
      else if (source.subgraph_url) sdl = await fetchSdl(source.subgraph_url);
      else throw new Error(`subgraph ${name}: schema needs file or subgraph_url`);
      return { name, url: subgraph.routing_url, typeDefs: parse(sdl) };
    }),
  );
}

const subgraphs = await loadSubgraphs(resolve(options.config));
if (subgraphs.length === 0) {
  console.error(`${options.config} names no subgraphs`);
  process.exit(1);
}
const result = composeServices(subgraphs);
for (const hint of result.hints ?? []) {
  console.error(`hint ${hint.definition.code}: ${hint.message}`);
}
if (result.errors) {
  for (const error of result.errors) {
    console.error(`error ${error.extensions?.code ?? "COMPOSITION"}: ${error.message}`);
  }
  console.error(`composition failed with ${result.errors.length} error(s)`);
  process.exit(1);
}
if (options.output) writeFileSync(options.output, result.supergraphSdl);
else process.stdout.write(result.supergraphSdl);
console.error(
  `composed ${subgraphs.map((s) => s.name).join(", ")} with 0 errors` +
    ` and ${result.hints?.length ?? 0} hint(s)`,
);
