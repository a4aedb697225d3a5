// A revision being written: its progress, refreshed by the page itself without JavaScript
// (<noscript> meta refresh), or by the script polling the status route with If-None-Match.
import type { PortalAssets } from "../assets/serve.ts";
import { Layout, type Viewer } from "../components/layout.tsx";

export type ProgressPageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  entry: { id: string; subject: string; status: string };
  from: number;
  progress: { step: string; progress: number; sections: { done: number; total: number } };
  statusUrl: string;
};

export function ProgressPage(props: ProgressPageProps) {
  const { entry, progress } = props;
  const revising = entry.status === "revising";
  return (
    <Layout
      title={`Revising ${entry.subject}`}
      assets={props.assets}
      viewer={props.viewer}
      head={
        revising ? (
          <noscript>
            <meta http-equiv="refresh" content="3" />
          </noscript>
        ) : undefined
      }
    >
      <p>
        <a href={`/portal/entries/${entry.id}`}>Back to {entry.subject}</a>
      </p>
      <h1>Revision of {entry.subject}</h1>
      <section class="card" data-status-url={revising ? props.statusUrl : undefined} aria-labelledby="progress-h">
        <h2 id="progress-h">{revising ? `Writing revision ${props.from + 1}` : `The entry is ${entry.status}`}</h2>
        <label for="revision-progress">Progress</label>
        <progress id="revision-progress" max={1} value={progress.progress}>
          {Math.round(progress.progress * 100)}%
        </progress>
        <p aria-live="polite">
          Step: <span data-step>{progress.step}</span>
        </p>
        <p>
          Sections rewritten: <span data-sections>{`${progress.sections.done} of ${progress.sections.total}`}</span>
        </p>
        <p class="hint">This page follows the revision and shows the changes when it comes back.</p>
      </section>
    </Layout>
  );
}
