// What a refused action shows: what went wrong in words, where the entry stands now, and anything the
// reviewer typed, so that no work is lost.
import type { Child } from "hono/jsx";
import type { PortalAssets } from "../assets/serve.ts";
import { Layout, Notice, type Viewer } from "../components/layout.tsx";

export type ProblemPageProps = {
  assets: PortalAssets;
  viewer?: Viewer;
  title: string;
  message: string;
  /** Field problems: which field, what is wrong. */
  fields?: { field: string; message: string }[];
  /** What the reviewer wrote, to copy from. */
  kept?: { label: string; text: string }[];
  back?: { href: string; label: string };
  children?: Child;
};

export function ProblemPage(props: ProblemPageProps) {
  return (
    <Layout title={props.title} assets={props.assets} viewer={props.viewer}>
      <h1>{props.title}</h1>
      <Notice kind="problem">
        <p>{props.message}</p>
        {props.fields && props.fields.length > 0 ? (
          <ul>
            {props.fields.map((f) => (
              <li>
                <strong>{f.field}</strong>: {f.message}
              </li>
            ))}
          </ul>
        ) : null}
      </Notice>
      {props.children}
      {props.kept && props.kept.length > 0 ? (
        <section aria-labelledby="kept-h">
          <h2 id="kept-h">What you wrote</h2>
          <p class="hint">Nothing was saved. Copy your text from here.</p>
          {props.kept.map((k, i) => (
            <div>
              <label for={`kept-${i}`}>{k.label}</label>
              <textarea id={`kept-${i}`} readonly rows={6}>
                {k.text}
              </textarea>
            </div>
          ))}
        </section>
      ) : null}
      {props.back ? (
        <p>
          <a href={props.back.href}>{props.back.label}</a>
        </p>
      ) : null}
    </Layout>
  );
}
