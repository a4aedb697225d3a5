// Editing one paragraph: a page of its own (no JavaScript needed), whose form the script also
// fetches and shows in place on the entry page.
import { maxParagraphChars, maxReasonChars } from "../../../shared/review/decisions.ts";
import type { PortalAssets } from "../assets/serve.ts";
import { CsrfField, Layout, type Viewer } from "../components/layout.tsx";

export type EditPageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  entry: { id: string; subject: string };
  revision: number;
  section: number;
  sectionTitle: string;
  paragraph: number;
  text: string;
};

export function EditForm(props: Omit<EditPageProps, "assets">) {
  const id = `edit-${props.section}-${props.paragraph}`;
  return (
    <form class="edit-form" method="post" action={`/portal/entries/${props.entry.id}/decisions`} aria-label={`Edit paragraph ${props.paragraph + 1} of ${props.sectionTitle}`}>
      <CsrfField token={props.viewer.csrf} />
      <input type="hidden" name="action" value="edit" />
      <input type="hidden" name="revision" value={String(props.revision)} />
      <input type="hidden" name="section" value={String(props.section)} />
      <input type="hidden" name="paragraph" value={String(props.paragraph)} />
      <label for={id}>
        Paragraph {props.paragraph + 1} of {props.sectionTitle}
      </label>
      <textarea id={id} name="text" required maxlength={maxParagraphChars} rows={10}>
        {props.text}
      </textarea>
      <label for={`${id}-reason`}>Why (optional, kept in the audit trail)</label>
      <input type="text" id={`${id}-reason`} name="reason" maxlength={maxReasonChars} />
      <div class="row">
        <button type="submit">Save as revision {props.revision + 1}</button>
      </div>
    </form>
  );
}

export function EditPage(props: EditPageProps) {
  return (
    <Layout title={`Edit: ${props.entry.subject}`} assets={props.assets} viewer={props.viewer}>
      <p>
        <a href={`/portal/entries/${props.entry.id}#p-${props.section}-${props.paragraph}`}>Back to {props.entry.subject}</a>
      </p>
      <h1>Edit a paragraph of {props.entry.subject}</h1>
      <p class="hint">The text is saved as a new revision, validated again; the house indent is added for you. Line breaks become spaces.</p>
      <EditForm {...props} />
    </Layout>
  );
}
