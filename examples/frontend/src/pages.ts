// What a frontend's pages ask for, through the typed client: each result is typed by its
// operation, so a field that is not selected, or a variable of the wrong type, fails `tsc`.
import type { LdpClient } from "./client";
import {
  ChildrenPageDocument,
  type ChildrenPageQuery,
  CouncilCalendarDocument,
  SubmissionReportDocument,
} from "./gql/graphql";

/** A council's calendar: each ask, its due date and where the council's submission stands. */
export async function councilCalendar(client: LdpClient, council: string, from?: string) {
  const { calendar } = await client.execute(CouncilCalendarDocument, {
    council,
    ...(from ? { from } : {}),
  });
  return calendar.map((entry) => ({
    title: entry.collection.title,
    requester: entry.collection.owner.name,
    dueOn: entry.collection.dueOn,
    daysUntilDue: entry.daysUntilDue,
    state: entry.submissionState ?? "NOT_SUBMITTED",
  }));
}

/** A submission's current validation report, issues grouped by rule. */
export async function submissionReport(client: LdpClient, id: string) {
  const { submission } = await client.execute(SubmissionReportDocument, { id, maxIssues: 500 });
  if (!submission) {
    return null; // not found, or not the caller's to see: the API does not say which
  }
  const { report } = submission.currentVersion;
  const byRule = new Map<string, string[]>();
  for (const issue of report.issues) {
    const messages = byRule.get(issue.ruleId) ?? [];
    messages.push(issue.line == null ? issue.message : `line ${issue.line}: ${issue.message}`);
    byRule.set(issue.ruleId, messages);
  }
  return {
    council: submission.council.name,
    version: submission.currentVersion.number,
    valid: report.valid,
    errors: report.errorCount,
    queries: report.queryCount,
    byRule,
    truncated: report.issuesTruncated,
  };
}

type ChildConnection = NonNullable<
  NonNullable<ChildrenPageQuery["collection"]>["clas"]
>["child"];
/** One row of the records table, exactly as ChildrenPage selects it. */
export type Child = ChildConnection["nodes"][number];

/** Every girl in a collection, page by page, newest first: rows for a records table. */
export async function allGirls(client: LdpClient, collectionId: string): Promise<Child[]> {
  const rows: Child[] = [];
  let after: string | null = null;
  for (;;) {
    const page: ChildrenPageQuery = await client.execute(ChildrenPageDocument, {
      collectionId,
      where: { sex: { label: "Female" } },
      first: 100,
      after,
    });
    const children = page.collection?.clas?.child;
    if (!children) {
      return rows;
    }
    rows.push(...children.nodes);
    if (!children.pageInfo.hasNextPage) {
      return rows;
    }
    after = children.pageInfo.endCursor ?? null;
  }
}
