// An entry's history: every revision with its scores (choose any two to compare), and the audit
// trail of every action taken on it.
import { toRoman } from "../../../shared/text/roman.ts";
import type { AuditRow, RevisionDiff, RevisionSummary } from "../../review/store.ts";
import type { PortalAssets } from "../assets/serve.ts";
import { Layout, type Viewer } from "../components/layout.tsx";
import { when } from "../format.ts";

const dimensionNames = ["style", "structure", "citations", "doctrine", "uniqueness"];

export type HistoryPageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  entry: { id: string; subject: string; status: string; revision: number };
  revisions: RevisionSummary[];
  audit: AuditRow[];
};

/** Sections by their numerals, as the headings name them (indexes are 0-based). */
const sectionList = (indexes: number[]) => (indexes.length === 0 ? "–" : indexes.map((i) => toRoman(i + 1)).join(", "));

export function HistoryPage(props: HistoryPageProps) {
  const { entry, revisions } = props;
  const last = revisions.at(-1)?.number ?? 1;
  const before = revisions.length > 1 ? revisions.at(-2)!.number : last;
  return (
    <Layout title={`History: ${entry.subject}`} assets={props.assets} viewer={props.viewer}>
      <p>
        <a href={`/portal/entries/${entry.id}`}>Back to {entry.subject}</a>
      </p>
      <h1>History of {entry.subject}</h1>
      <form method="get" action={`/portal/entries/${entry.id}/diff`}>
        <table>
          <caption>
            Revisions (the current one is {entry.revision}); choose two to compare
          </caption>
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Made by</th>
              <th scope="col">When</th>
              <th scope="col">Why</th>
              <th scope="col" class="num">
                Words
              </th>
              <th scope="col">Sections changed</th>
              <th scope="col" class="num">
                Quality
              </th>
              {dimensionNames.map((d) => (
                <th scope="col" class="num">
                  {d}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {revisions.map((r) => (
              <tr>
                <th scope="row">
                  <a href={`/portal/entries/${entry.id}?revision=${r.number}`}>{r.number}</a> <span class="hint">{r.kind}</span>
                </th>
                <td>
                  <input type="radio" name="from" value={String(r.number)} id={`from-${r.number}`} checked={r.number === before} />
                  <label for={`from-${r.number}`} class="vh">
                    Compare from revision {r.number}
                  </label>
                </td>
                <td>
                  <input type="radio" name="to" value={String(r.number)} id={`to-${r.number}`} checked={r.number === last} />
                  <label for={`to-${r.number}`} class="vh">
                    Compare to revision {r.number}
                  </label>
                </td>
                <td>{r.author.name}</td>
                <td>{when(r.createdAt)}</td>
                <td>{r.reason ?? "–"}</td>
                <td class="num">{r.words}</td>
                <td>{sectionList(r.sectionsChanged)}</td>
                <td class="num">{r.qualityScore === null ? "–" : r.qualityScore.toFixed(3)}</td>
                {dimensionNames.map((d) => (
                  <td class="num">{typeof r.validation?.dimensions[d] === "number" ? r.validation.dimensions[d]!.toFixed(3) : "–"}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {revisions.length > 1 ? (
          <p>
            <button type="submit">Compare the chosen revisions</button>
          </p>
        ) : null}
      </form>
      <h2 id="audit-h">Audit trail</h2>
      {props.audit.length === 0 ? (
        <p>No reviewer has acted on this entry yet.</p>
      ) : (
        <table aria-labelledby="audit-h">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Revision</th>
              <th scope="col">Reason</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {props.audit.map((a) => (
              <tr>
                <td>{when(a.at)}</td>
                <td>
                  {a.keyName}
                  {a.keyId ? <div class="hint">{a.keyId}</div> : null}
                </td>
                <td>{a.action}</td>
                <td>{a.revision ?? "–"}</td>
                <td>{a.reason ?? "–"}</td>
                <td>{auditDetail(a.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** The audit row's detail in words (sections by numeral, paragraphs counted from 1, as in the text). */
function auditDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return "–";
  const parts: string[] = [];
  if (Array.isArray(detail.sections) && detail.sections.length > 0) parts.push(`sections ${sectionList(detail.sections as number[])}`);
  if (Array.isArray(detail.paragraphs)) {
    parts.push(`paragraphs ${(detail.paragraphs as { section: number; paragraph: number }[]).map((p) => `${toRoman(p.section + 1)}.${p.paragraph + 1}`).join(", ")}`);
  }
  if (Array.isArray(detail.instructions)) {
    for (const i of detail.instructions as { section: number; instructions: string }[]) parts.push(`section ${toRoman(i.section + 1)}: “${i.instructions}”`);
  }
  if (typeof detail.revision_requested === "number") parts.push(`asked for revision ${detail.revision_requested}`);
  return parts.join("; ") || JSON.stringify(detail);
}

export type DiffPageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  entry: { id: string; subject: string; revision: number; status: string };
  diff: RevisionDiff;
  /** Offer the decisions: the diff ends at the current revision of a reviewable entry. */
  decideHref?: string;
  done?: string;
};

export function DiffPage(props: DiffPageProps) {
  const { diff, entry } = props;
  return (
    <Layout title={`Changes: ${entry.subject}`} assets={props.assets} viewer={props.viewer}>
      <p>
        <a href={`/portal/entries/${entry.id}`}>Back to {entry.subject}</a> · <a href={`/portal/entries/${entry.id}/history`}>History</a>
      </p>
      <h1>
        {entry.subject}: revision {diff.from} to revision {diff.to}
      </h1>
      {props.done === "revised" ? (
        <div class="notice ok" role="status">
          The revision came back as revision {diff.to}. Its changes are below.
        </div>
      ) : null}
      <p>
        {diff.counts.sectionsChanged} {diff.counts.sectionsChanged === 1 ? "section" : "sections"} changed; {diff.counts.wordsAdded} words added, {diff.counts.wordsRemoved} removed.
        {props.decideHref ? (
          <>
            {" "}
            <a href={props.decideHref}>Review revision {diff.to}</a>
          </>
        ) : null}
      </p>
      {diff.sections.map((s) => (
        <section class="diff-section" aria-labelledby={`diff-${s.index}`}>
          <h2 id={`diff-${s.index}`}>
            {s.title.to ?? s.title.from}
            {s.changed ? " (changed)" : ""}
          </h2>
          {s.changed ? (
            <div class="diff-text">
              {s.parts.map((p) =>
                p.kind === "same" ? (
                  p.text
                ) : p.kind === "added" ? (
                  <ins>
                    <span class="vh">[added: </span>
                    {p.text}
                    <span class="vh">]</span>
                  </ins>
                ) : (
                  <del>
                    <span class="vh">[removed: </span>
                    {p.text}
                    <span class="vh">]</span>
                  </del>
                ),
              )}
            </div>
          ) : (
            <p class="unchanged">Unchanged.</p>
          )}
        </section>
      ))}
    </Layout>
  );
}
