// The entry's text, section by section, with every issue marked at its span: the covered words in a
// <mark> (underline style and a text marker per severity, never colour alone), a numbered marker
// link after the span, and the section's issue notes (rule, severity, message, suggestion, the
// dimension it counts against) below its paragraphs. The blueprint's plan for each section sits
// beside it, with the box to send the section back and the instructions for it.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { escapeToBuffer, type HtmlEscapedString } from "hono/utils/html";
import type { OpusDocument, Severity } from "../../../shared/validation/types.ts";
import { assignMarkers, coveringPerBlock, pieces, splitWide, worstSeverity, type BlockSpan, type MarkedIssue, type Piece } from "../annotate.ts";

export type PlanSection = { numeral: string; title: string; goal?: string; key_points?: string[]; sources?: string[]; word_target?: number };

export type EntryTextProps = {
  doc: OpusDocument;
  issues: MarkedIssue[];
  plan: PlanSection[];
  /** Words per section as stored with the revision. */
  sectionWords: number[];
  /** Links and forms: absent when the entry cannot be changed now. */
  actions?: { entryId: string; revision: number; reviseForm: string };
};

export const severityLetter: Record<Severity, string> = { info: "I", warning: "W", error: "E", critical: "C" };

/**
 * A block's annotated text as HTML. This is the page's hot loop (every word of a 13,000-word entry
 * and every issue pass through it), so it writes escaped strings directly instead of JSX nodes.
 */
function piecesHtml(list: Piece[]): HtmlEscapedString {
  // hono's escapeToBuffer appends to the buffer's first string: the whole block is built in it.
  const buffer: [string] = [""];
  for (const piece of list) {
    if (piece.kind === "ref") {
      const { n, severity } = piece.issue;
      buffer[0] += `<a class="issue-ref sev-${severity}" id="issue-${n}" href="#note-${n}" data-issue="${n}" aria-label="Issue ${n}, ${severity}">${severityLetter[severity]}${n}</a>`;
      continue;
    }
    const { text, issues } = piece.run;
    if (issues.length > 0) buffer[0] += `<mark class="issue sev-${worstSeverity(issues)}" data-issues="${issues.map((i) => i.n).join(" ")}">`;
    escapeToBuffer(text, buffer);
    if (issues.length > 0) buffer[0] += "</mark>";
  }
  return raw(buffer[0]);
}

function Pieces({ list }: { list: Piece[] }) {
  return <>{piecesHtml(list)}</>;
}

export function IssueNote({ issue }: { issue: MarkedIssue }) {
  return (
    <li id={`note-${issue.n}`}>
      <a href={`#issue-${issue.n}`} aria-label={`Back to issue ${issue.n} in the text`}>
        {issue.n}
      </a>{" "}
      <span class={`sev sev-${issue.severity}`}>{issue.severity}</span> <span class="rule">{issue.rule}</span>{" "}
      <span class="dim">counts against {issue.dimension}{issue.source === "node" ? " (GPU node's check)" : ""}</span>
      <div class="msg">{issue.message}</div>
      {issue.suggestion ? <p class="suggestion">Suggestion: {issue.suggestion}</p> : null}
    </li>
  );
}

function Notes({ issues, label }: { issues: MarkedIssue[]; label: string }) {
  if (issues.length === 0) return null;
  const worst = worstSeverity(issues)!;
  return (
    <details class="notes" open={issues.length <= 12}>
      <summary>
        {issues.length} {issues.length === 1 ? "issue" : "issues"} in {label} (worst: {worst})
      </summary>
      <ol>
        {issues.map((issue) => (
          <IssueNote issue={issue} />
        ))}
      </ol>
    </details>
  );
}

/** A block that a whole-block issue covers: marked by a rule beside it in that issue's style. */
const wideClass = (wide: MarkedIssue[]) => (wide.length > 0 ? ` wide sev-${worstSeverity(wide)}` : "");
const wideData = (wide: MarkedIssue[]) => (wide.length > 0 ? { "data-issues": wide.map((i) => i.n).join(" ") } : {});

type RenderBlock = BlockSpan & { kind: "title" | "heading" | "paragraph" | "quote"; section: number; paragraph: number };

/** The blocks the page shows, in order: title, lead paragraphs, then each heading and its paragraphs. */
function blocksOf(doc: OpusDocument): RenderBlock[] {
  const out: RenderBlock[] = [];
  for (const h of doc.headings) {
    out.push({ kind: h.kind === "title" ? "title" : "heading", start: h.titleStart, end: h.end, section: -2, paragraph: -1 });
  }
  const sectionOfHeading = new Map(doc.sections.map((s, i) => [s.heading.start, i]));
  for (const block of out) {
    const heading = doc.headings.find((h) => h.titleStart === block.start)!;
    block.section = sectionOfHeading.get(heading.start) ?? -1;
  }
  const ordinal = new Map<number, number>();
  doc.sections.forEach((s) => s.paragraphs.forEach((p, k) => ordinal.set(p, k)));
  doc.paragraphs.forEach((p, i) => {
    out.push({ kind: p.kind === "blockquote" ? "quote" : "paragraph", start: p.contentStart, end: p.end, section: p.section, paragraph: ordinal.get(i) ?? -1 });
  });
  return out.sort((a, b) => a.start - b.start);
}

export function EntryText(props: EntryTextProps) {
  const { doc, issues } = props;
  const blocks = blocksOf(doc);
  const covering = coveringPerBlock(blocks, issues);
  const markers = assignMarkers(blocks, issues);
  const rendered = blocks.map((block, b) => {
    const { wide, narrow } = splitWide(block, covering[b]!);
    return { block, wide, list: pieces(doc.text, block, narrow, markers[b]!), owned: markers[b]! };
  });

  // Group into the lead (title and paragraphs before section I) and the sections.
  const lead = rendered.filter((r) => r.block.section < 0);
  const sections = doc.sections.map((_, s) => rendered.filter((r) => r.block.section === s));

  const paragraph = (r: (typeof rendered)[number], label: string): Child => {
    const { block } = r;
    const editable = props.actions && block.section >= 0 && block.paragraph >= 0;
    return (
      <div class={`para${block.kind === "quote" ? " quote" : ""}${wideClass(r.wide)}`} id={`p-${block.section}-${block.paragraph}`} {...wideData(r.wide)}>
        <p>
          <Pieces list={r.list} />
        </p>
        {editable ? (
          <a class="edit-link" href={`/portal/entries/${props.actions!.entryId}/sections/${block.section}/paragraphs/${block.paragraph}/edit?revision=${props.actions!.revision}`}>
            Edit<span class="vh"> paragraph {block.paragraph + 1} of {label}</span>
          </a>
        ) : null}
      </div>
    );
  };

  const title = lead.find((r) => r.block.kind === "title");
  const leadParagraphs = lead.filter((r) => r.block.kind !== "title");
  return (
    <article class="entry-text" aria-label="Entry text">
      {title || leadParagraphs.length > 0 ? (
        <section class="section" aria-label="Title and lead">
          <div class="section-text">
            {title ? (
              <p class="entry-title">
                <strong>
                  <Pieces list={title.list} />
                </strong>
              </p>
            ) : null}
            {leadParagraphs.map((r) => paragraph(r, "the lead"))}
            <Notes issues={lead.flatMap((r) => r.owned)} label="the title and lead" />
          </div>
          <div></div>
        </section>
      ) : null}
      {sections.map((list, s) => {
        const heading = list.find((r) => r.block.kind === "heading");
        const section = doc.sections[s]!;
        const label = section.heading.numeral ? `section ${section.heading.numeral}` : `section ${s + 1}`;
        const plan = props.plan[s];
        const headingId = `section-${s}`;
        return (
          <section class="section" aria-labelledby={headingId}>
            <div class="section-text">
              <h2 id={headingId} class={heading ? wideClass(heading.wide).trim() || undefined : undefined} {...(heading ? wideData(heading.wide) : {})}>
                {heading ? <Pieces list={heading.list} /> : section.heading.title}
              </h2>
              {list.filter((r) => r.block.kind !== "heading").map((r) => paragraph(r, label))}
              <Notes issues={list.flatMap((r) => r.owned)} label={label} />
            </div>
            <aside class="plan" aria-label={`Blueprint for ${label}`}>
              <h3>Blueprint</h3>
              {plan ? (
                <>
                  <p>
                    <strong>
                      {plan.numeral}. {plan.title}
                    </strong>
                  </p>
                  {plan.goal ? <p>Goal: {plan.goal}</p> : null}
                  {plan.key_points && plan.key_points.length > 0 ? (
                    <>
                      <p>Key points:</p>
                      <ul>
                        {plan.key_points.map((k) => (
                          <li>{k}</li>
                        ))}
                      </ul>
                    </>
                  ) : null}
                  {plan.sources && plan.sources.length > 0 ? <p>Sources: {plan.sources.join("; ")}</p> : null}
                  <p>
                    Words: {props.sectionWords[s] ?? section.wordCount}
                    {plan.word_target ? ` of ${plan.word_target} planned` : ""}
                  </p>
                </>
              ) : (
                <p class="hint">No blueprint was stored for this section. Words: {props.sectionWords[s] ?? section.wordCount}</p>
              )}
              {props.actions ? (
                <div class="send-back">
                  <input type="checkbox" id={`send-${s}`} name="section" value={String(s)} form={props.actions.reviseForm} />{" "}
                  <label for={`send-${s}`}>Send {label} back</label>
                  <label for={`instructions-${s}`} class="vh">
                    Instructions for {label}
                  </label>
                  <textarea id={`instructions-${s}`} name={`instructions-${s}`} form={props.actions.reviseForm} placeholder={`Instructions for ${label}`} rows={3}></textarea>
                </div>
              ) : null}
            </aside>
          </section>
        );
      })}
    </article>
  );
}
