// The entry page: what the entry is and where it stands, its scores per dimension, the decisions a
// reviewer can take (plain forms that post and redirect), the text with every issue marked in place
// and the blueprint beside each section, and the citations found.
import type { EntryStatus } from "../../../shared/lifecycle/index.ts";
import { maxInstructionChars, maxReasonChars } from "../../../shared/review/decisions.ts";
import { DIMENSIONS, type OpusDocument, type Severity } from "../../../shared/validation/types.ts";
import type { PortalAssets } from "../assets/serve.ts";
import type { CitationView } from "../citations.ts";
import { EntryText, severityLetter, type PlanSection } from "../components/entry-text.tsx";
import { CsrfField, Layout, Notice, type Viewer } from "../components/layout.tsx";
import { percent, when } from "../format.ts";
import type { ShownReport } from "../report.ts";

export type EntryPageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  entry: { id: string; subject: string; tier: string; category: string; status: EntryStatus; revision: number };
  revision: { number: number; kind: string; author: string; createdAt: number; reason: string | null; words: number; qualityScore: number | null; sectionWords: number[] };
  doc: OpusDocument;
  report: ShownReport;
  plan: PlanSection[];
  citations: CitationView;
  /** A message after an action (from the redirect's query). */
  done?: string;
  /** True when the reader may decide now: the current revision of a finished entry. */
  decidable: boolean;
};

const severities: Severity[] = ["critical", "error", "warning", "info"];
const statusText: Partial<Record<EntryStatus, string>> = {
  needs_review: "needs review",
  succeeded: "passed the quality gate",
  revising: "being revised",
  approved: "approved",
  rejected: "rejected",
};

export const doneMessages: Record<string, string> = {
  approved: "Approved. The entry leaves the queue.",
  rejected: "Rejected. The reason is in the audit trail.",
  edited: "Saved as a new revision; the edge validated it again.",
  revised: "The revision came back: it is the current revision now.",
};

/** How a revision came to be, in words. */
export function madeBy(kind: string, author: string): string {
  if (kind === "pipeline") return "written by the pipeline";
  if (kind === "edit") return `edited by ${author}`;
  return `rewritten on request of ${author}`;
}

function Scores({ report, qualityScore }: { report: ShownReport; qualityScore: number | null }) {
  return (
    <section class="card" aria-labelledby="scores-h">
      <h2 id="scores-h">Scores</h2>
      <p>
        Overall <strong>{report.score.toFixed(3)}</strong> over the issues on this page
        {qualityScore !== null ? (
          <>
            ; quality score <strong>{qualityScore.toFixed(3)}</strong> (the gate's, stored with the revision)
          </>
        ) : null}
        .
      </p>
      <table class="scores">
        <caption class="vh">Score per dimension and the issues that count against it</caption>
        <thead>
          <tr>
            <th scope="col">Dimension</th>
            <th scope="col" class="num">
              Score
            </th>
            <th scope="col">Issues</th>
          </tr>
        </thead>
        <tbody>
          {DIMENSIONS.map((d) => {
            const counts = report.counts[d];
            const ran = report.ran.includes(d);
            return (
              <tr>
                <th scope="row">{d}</th>
                <td class="num">
                  {ran ? (
                    <>
                      <meter min={0} max={1} low={0.7} high={0.9} optimum={1} value={report.dimensions[d]} aria-hidden="true"></meter> {report.dimensions[d].toFixed(3)}
                    </>
                  ) : (
                    "not checked"
                  )}
                </td>
                <td>
                  {severities
                    .filter((s) => counts[s] > 0)
                    .map((s) => `${counts[s]} ${s}`)
                    .join(", ") || "none"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Decisions(props: EntryPageProps) {
  const { entry, viewer } = props;
  const action = `/portal/entries/${entry.id}/decisions`;
  if (entry.status === "revising") {
    return (
      <section class="card actions" aria-labelledby="decide-h">
        <h2 id="decide-h">Decision</h2>
        <p>A revision is being written.</p>
        <a class="button" href={`/portal/entries/${entry.id}/progress?from=${entry.revision}`}>
          Watch its progress
        </a>
      </section>
    );
  }
  if (!props.decidable) {
    return (
      <section class="card actions" aria-labelledby="decide-h">
        <h2 id="decide-h">Decision</h2>
        <p>
          {props.revision.number !== entry.revision ? (
            <>
              This is revision {props.revision.number}; the current one is <a href={`/portal/entries/${entry.id}`}>revision {entry.revision}</a>.
            </>
          ) : (
            `The entry is ${statusText[entry.status] ?? entry.status}: there is nothing to decide.`
          )}
        </p>
      </section>
    );
  }
  return (
    <section class="card actions" aria-labelledby="decide-h">
      <h2 id="decide-h">Decision on revision {entry.revision}</h2>
      <form method="post" action={action}>
        <CsrfField token={viewer.csrf} />
        <input type="hidden" name="revision" value={String(entry.revision)} />
        <input type="hidden" name="action" value="approve" />
        <button type="submit">Approve revision {entry.revision}</button>
      </form>
      <form method="post" action={action}>
        <CsrfField token={viewer.csrf} />
        <input type="hidden" name="revision" value={String(entry.revision)} />
        <input type="hidden" name="action" value="reject" />
        <label for="reject-reason">Reason for rejecting</label>
        <div class="row">
          <textarea id="reject-reason" name="reason" required maxlength={maxReasonChars} rows={1}></textarea>
          <button type="submit" class="danger">
            Reject
          </button>
        </div>
      </form>
      <form method="post" action={action} id="revise-form">
        <CsrfField token={viewer.csrf} />
        <input type="hidden" name="revision" value={String(entry.revision)} />
        <input type="hidden" name="action" value="revise" />
        <p class="hint" id="revise-hint">
          To send sections back, tick them beside the text and write what to change in each (up to {maxInstructionChars} characters).
        </p>
        <label for="revise-reason">Note for the audit trail (optional)</label>
        <div class="row">
          <input type="text" id="revise-reason" name="reason" maxlength={maxReasonChars} />
          <button type="submit" class="secondary" aria-describedby="revise-hint">
            Send ticked sections back
          </button>
        </div>
      </form>
    </section>
  );
}

function Citations({ citations }: { citations: CitationView }) {
  const { quotations, references } = citations;
  return (
    <section class="citations" aria-labelledby="citations-h">
      <h2 id="citations-h">Citations found</h2>
      <p class="hint">
        {citations.checked
          ? "Quotations were checked against the library of sources on the GPU node."
          : "No quotation in this revision's report was checked against sources (the GPU node checks them when it has a library)."}
      </p>
      <details open={quotations.length <= 40}>
        <summary>
          {quotations.length} {quotations.length === 1 ? "quotation" : "quotations"}
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Quotation</th>
              <th scope="col">Reference after it</th>
              <th scope="col">Checked against sources</th>
            </tr>
          </thead>
          <tbody>
            {quotations.map((q) => (
              <tr>
                <td>“{q.text}”</td>
                <td>{q.reference ?? "none in its paragraph"}</td>
                <td>
                  <span class={q.check === "not checked" ? "unchecked" : q.check}>{q.check}</span>
                  {q.issue !== null ? (
                    <>
                      {" "}
                      (<a href={`#issue-${q.issue}`}>issue {q.issue}</a>)
                    </>
                  ) : null}
                  {q.detail ? <div class="hint">{q.detail}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details open={references.length <= 40}>
        <summary>
          {references.length} {references.length === 1 ? "reference" : "references"} (Scripture and the Fathers)
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">As written</th>
              <th scope="col">Resolved to</th>
              <th scope="col">Issues</th>
            </tr>
          </thead>
          <tbody>
            {references.map((r) => (
              <tr>
                <td>{r.kind}</td>
                <td>{r.text}</td>
                <td>{r.resolved}</td>
                <td>
                  {r.issues.length === 0
                    ? "none"
                    : r.issues.map((i) => (
                        <>
                          <a href={`#issue-${i.n}`}>
                            {i.severity} {i.n}
                          </a>{" "}
                        </>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export function EntryPage(props: EntryPageProps) {
  const { entry, revision, report } = props;
  const bySeverity = severities.map((s) => ({ s, n: report.issues.filter((i) => i.severity === s).length })).filter((x) => x.n > 0);
  return (
    <Layout title={entry.subject} assets={props.assets} viewer={props.viewer}>
      <div class="entry-head">
        <h1>{entry.subject}</h1>
        <ul class="facts" aria-label="About this entry">
          <li>
            Tier <strong>{entry.tier}</strong>
          </li>
          <li>
            Category <strong>{entry.category}</strong>
          </li>
          <li>
            Status <strong>{statusText[entry.status] ?? entry.status}</strong>
          </li>
          <li>
            Revision <strong>{revision.number}</strong> ({madeBy(revision.kind, revision.author)}, {when(revision.createdAt)})
          </li>
          <li>
            <strong>{revision.words}</strong> words
          </li>
          <li>
            <a href={`/portal/entries/${entry.id}/history`}>History and audit trail</a>
          </li>
        </ul>
      </div>
      {props.done && doneMessages[props.done] ? <Notice kind="ok">{doneMessages[props.done]}</Notice> : null}
      <p class="issue-line">
        <strong>
          {report.issues.length === 0
            ? "No issues."
            : `${report.issues.length} ${report.issues.length === 1 ? "issue" : "issues"} marked in the text: ${bySeverity.map(({ s, n }) => `${n} ${s}`).join(", ")}.`}
        </strong>{" "}
        Markers follow the marked words ({severities.map((s) => `${severityLetter[s]} ${s}`).join(", ")}) and lead to their notes; <kbd>j</kbd> and <kbd>k</kbd> go from issue
        to issue, <kbd>?</kbd> lists the shortcuts.
        {report.issues.length > 0 ? (
          <>
            {" "}
            <a href={`#issue-${report.issues[0]!.n}`}>First issue</a>
          </>
        ) : null}
      </p>
      <div class="summary">
        <Scores report={report} qualityScore={revision.qualityScore} />
        <Decisions {...props} />
      </div>
      <EntryText
        doc={props.doc}
        issues={report.issues}
        plan={props.plan}
        sectionWords={revision.sectionWords}
        actions={props.decidable ? { entryId: entry.id, revision: entry.revision, reviseForm: "revise-form" } : undefined}
      />
      <Citations citations={props.citations} />
      <p class="hint">Scores: {percent(report.score)} overall, computed over {report.wordCount} words.</p>
    </Layout>
  );
}
