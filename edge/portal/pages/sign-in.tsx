// Sign in with a review-scoped API key. The key is posted once, checked, and never stored: the
// session cookie names the key's id only.
import type { PortalAssets } from "../assets/serve.ts";
import { Layout, Notice } from "../components/layout.tsx";

export function SignInPage(props: { assets: PortalAssets; problem?: string; next?: string }) {
  return (
    <Layout title="Sign in" assets={props.assets}>
      <div class="sign-in card">
        <h1>Sign in to review</h1>
        {props.problem ? <Notice kind="problem">{props.problem}</Notice> : null}
        <form method="post" action="/portal/sign-in">
          <div class="field">
            <label for="key">API key with the review scope</label>
            <input type="password" id="key" name="key" autocomplete="off" required aria-describedby="key-hint" spellcheck={false} />
            <p class="hint" id="key-hint">
              The key whose entries you review (entries belong to the key that submitted them), for example <code>opus_sk_…</code> from{" "}
              <code>opus keys create --name editor</code>. It is checked once and never stored; the session lasts 8 hours.
            </p>
          </div>
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}
