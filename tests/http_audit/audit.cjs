// Runs graphql-http's GraphQL-over-HTTP server audits against the URL given as the only
// argument and prints one JSON array of {id, name, status, reason} to stdout.
//
// graphql-http is resolved through NODE_PATH (the pytest test installs it into a cache
// directory), so the repository carries no node_modules of its own.
"use strict";

const { serverAudits } = require("graphql-http");

async function main() {
  const url = process.argv[2];
  if (!url) {
    console.error("usage: node audit.cjs <graphql url>");
    process.exit(2);
  }
  const results = [];
  // One at a time: the audits are small, and a run in parallel would only compete with the
  // server under test for the same cores.
  for (const audit of serverAudits({ url })) {
    const result = await audit.fn();
    let reason = result.reason;
    if (result.status !== "ok" && result.response) {
      // The body says why the server answered as it did; keep it short for the report.
      const body = await result.response.text().catch(() => "");
      reason = `${reason} [${result.response.status}] ${body.slice(0, 300)}`;
    }
    results.push({ id: result.id, name: result.name, status: result.status, reason });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
