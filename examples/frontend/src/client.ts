// A small typed client for ldp-graph: it sends a generated document's sha256 hash (Apollo's
// persisted-query wire format), so in allow-list mode only the operations in
// src/gql/persisted-documents.json can run. The result and variables are typed by the document.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

import persistedDocuments from "./gql/persisted-documents.json";

export interface GraphQLErrorPayload {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** The API answered with errors; `codes` are their `extensions.code`s. */
export class LdpGraphQLError extends Error {
  readonly codes: ReadonlyArray<string | undefined>;

  constructor(readonly errors: ReadonlyArray<GraphQLErrorPayload>) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "LdpGraphQLError";
    this.codes = errors.map((e) => e.extensions?.code);
  }
}

export interface ClientOptions {
  /** For example https://ldp.example.gov.scot/graphql */
  endpoint: string;
  /** A platform token or an OIDC JWT; anonymous without one. */
  token?: string;
  /** Injected in tests or server-side rendering; the global fetch otherwise. */
  fetch?: typeof fetch;
}

// Client-preset documents carry their manifest hash when `persistedDocuments` is on.
type Persisted = { __meta__?: { hash?: string } };

// Variables may be left out when none is required; otherwise they must be given, typed.
type VariablesArgument<TVariables> =
  {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

const documentsByHash: Readonly<Record<string, string>> = persistedDocuments;

export function createClient(options: ClientOptions) {
  const send = options.fetch ?? fetch;

  async function post(body: object): Promise<{ data?: unknown; errors?: GraphQLErrorPayload[] }> {
    const response = await send(options.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json;q=0.9",
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { data?: unknown; errors?: GraphQLErrorPayload[] };
  }

  async function execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult> {
    const hash = (document as Persisted).__meta__?.hash;
    if (!hash) {
      throw new Error("Generate documents with persistedDocuments enabled (npm run codegen).");
    }
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    let payload = await post({ variables, extensions });
    // A server in APQ mode has not seen this hash yet: send the manifest's text once with it.
    if (payload.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND")) {
      const query = documentsByHash[hash];
      if (query !== undefined) {
        payload = await post({ query, variables, extensions });
      }
    }
    if (payload.errors?.length) {
      throw new LdpGraphQLError(payload.errors);
    }
    return payload.data as TResult;
  }

  return { execute };
}

export type LdpClient = ReturnType<typeof createClient>;
