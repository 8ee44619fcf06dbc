// Proof that the generated types bind: each line below must be a type error. If codegen
// stopped typing an operation (for example everything became `any`), the
// `@ts-expect-error` directive would itself be unused, and `tsc --noEmit` would fail.
import type { LdpClient } from "./client";
import { CouncilCalendarDocument, SubmissionReportDocument } from "./gql/graphql";

export async function typeErrors(client: LdpClient) {
  // @ts-expect-error: SubmissionReport requires its `id` variable.
  await client.execute(SubmissionReportDocument, {});

  // @ts-expect-error: `from` is a Date, sent as an ISO string, not a number.
  await client.execute(CouncilCalendarDocument, { from: 20250101 });

  const { calendar } = await client.execute(CouncilCalendarDocument);
  // @ts-expect-error: `legalBasis` is not selected by CouncilCalendar.
  calendar[0]?.collection.legalBasis;

  // @ts-expect-error: submission states are the schema's enum values only.
  const state: NonNullable<(typeof calendar)[number]["submissionState"]> = "SUBMITTED";
  return state;
}
