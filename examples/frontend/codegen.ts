// GraphQL Code Generator: typed documents from the API's committed schema, and the
// persisted-documents manifest (sha256 -> document) that the API's allow-list mode reads.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema/schema.graphql",
  documents: ["src/operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        // No fragments are masked: the operations select fields directly.
        fragmentMasking: false,
        // sha256, because that is the hash Apollo's wire format and the API check.
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      config: {
        // Every custom scalar must be mapped, so a new scalar in the schema fails codegen
        // instead of silently becoming `any`.
        strictScalars: true,
        scalars: {
          Date: "string",
          DateTime: "string",
          JSON: "unknown",
          Upload: "File",
          _Any: "unknown",
        },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
