// The edge's own check of every finished entry: the light validators (those that may run at the
// edge) over the Markdown the node sent. Their report joins the entry's metadata, caps its quality
// score, and an entry the node passed but the edge finds errors in goes to review instead.
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import type { Tier } from "../../shared/api/tier.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";

type Finished = Extract<NodeEvent, { type: "finished" }>;

/** Most issues an entry's stored report keeps (the counts cover them all). */
const maxStoredIssues = 200;

export async function validateFinishedAtEdge(event: Finished, tier: Tier): Promise<Finished> {
  const report = await lintMarkdown(event.entry.markdown, { tier, place: "edge" });
  const nodeQuality = event.entry.metadata.quality as { combined?: number; reasons?: string[] } | undefined;
  const nodeScore = typeof nodeQuality?.combined === "number" ? nodeQuality.combined : report.score;
  const qualityScore = Math.round(Math.min(nodeScore, report.score) * 1000) / 1000;
  const blocking = report.counts.error + report.counts.critical;
  const demoted = event.status === "succeeded" && blocking > 0;
  return {
    ...event,
    status: demoted ? "needs_review" : event.status,
    step: demoted ? "needs review" : event.step,
    entry: {
      ...event.entry,
      metadata: {
        ...event.entry.metadata,
        quality_score: qualityScore,
        edge_validation: {
          passed: report.passed,
          score: report.score,
          dimensions: report.dimensions,
          counts: report.counts,
          issues: report.issues.slice(0, maxStoredIssues).map(({ rule, severity, message, line, column, endLine, endColumn, suggestion }) => ({
            rule,
            severity,
            message,
            line,
            column,
            endLine,
            endColumn,
            ...(suggestion ? { suggestion } : {}),
          })),
          ...(demoted ? { demoted_reason: `the edge found ${blocking} error or critical issue(s) the node did not` } : {}),
        },
      },
    },
  };
}
