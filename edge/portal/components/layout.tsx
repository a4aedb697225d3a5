// The page shell: landmarks (banner, navigation, main, contentinfo), a skip link, the stylesheet and
// script served by the edge, a live region the script announces into, and the shortcuts dialog.
import type { Child } from "hono/jsx";
import type { PortalAssets } from "../assets/serve.ts";

export type Viewer = { name: string; csrf: string };

export type LayoutProps = {
  title: string;
  assets: PortalAssets;
  /** Absent on the sign-in page. */
  viewer?: Viewer;
  /** Extra elements for <head> (e.g. the no-script refresh of the progress page). */
  head?: Child;
  children?: Child;
};

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

export function Layout(props: LayoutProps) {
  const { assets, viewer } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · Opus review`}</title>
        <link rel="icon" href={assets.icon.path} type="image/svg+xml" />
        <link rel="stylesheet" href={assets.css.path} integrity={assets.css.integrity} />
        <script src={assets.js.path} integrity={assets.js.integrity} defer></script>
        {props.head}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="brand" href="/portal/queue">
            Opus review
          </a>
          {viewer ? (
            <>
              <nav aria-label="Portal">
                <ul>
                  <li>
                    <a href="/portal/queue">Queue</a>
                  </li>
                </ul>
              </nav>
              <form class="who" method="post" action="/portal/sign-out">
                <span>
                  Signed in as <strong>{viewer.name}</strong>
                </span>
                <CsrfField token={viewer.csrf} />
                <button type="submit">Sign out</button>
              </form>
            </>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          Press <kbd>?</kbd> for keyboard shortcuts. Every action also works without JavaScript.
        </footer>
        <div id="live" class="vh" aria-live="polite" aria-atomic="true"></div>
        <dialog id="shortcuts" aria-labelledby="shortcuts-title">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <dl>
            <dt>
              <kbd>j</kbd>
            </dt>
            <dd>Next issue</dd>
            <dt>
              <kbd>k</kbd>
            </dt>
            <dd>Previous issue</dd>
            <dt>
              <kbd>?</kbd>
            </dt>
            <dd>Show these shortcuts</dd>
            <dt>
              <kbd>Esc</kbd>
            </dt>
            <dd>Close this dialog</dd>
          </dl>
          <button type="button" data-close-dialog>
            Close
          </button>
        </dialog>
      </body>
    </html>
  );
}

/** A message after an action, announced politely. */
export function Notice(props: { kind: "ok" | "problem"; children?: Child }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === "problem" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}
