// The interactive API reference at /docs, rendered on the server from the OpenAPI document itself
// (so it can never say something the document does not), with no asset from anywhere but the edge:
// it works offline and under the same strict CSP as the portal (scripts and styles from 'self').
// The one script (docs-assets.ts) adds "Try it": a form per operation that sends the request with
// the key typed on the page.
import type { Child } from "hono/jsx";
import type { DocsAssets } from "./docs-assets.ts";

type Json = Record<string, any>;

/** `code` spans and **bold** in the document's descriptions; everything else is text (escaped by JSX). */
function Prose(props: { text?: string }) {
  if (!props.text) return null;
  return (
    <>
      {props.text.split(/\n\n+/).map((para) => (
        <p>
          {para.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part) =>
            part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
              <code>{part.slice(1, -1)}</code>
            ) : part.startsWith("**") && part.endsWith("**") && part.length > 3 ? (
              <strong>{part.slice(2, -2)}</strong>
            ) : (
              part
            ),
          )}
        </p>
      ))}
    </>
  );
}

const refName = (ref: string) => ref.replace("#/components/schemas/", "");

/** A short type label: `string`, `EntryStatusView[]`, `"queued" | "failed"`, `integer | null`. */
function TypeLabel(props: { schema: Json | undefined }): Child {
  const s = props.schema ?? {};
  if (s.$ref) return <a href={`#schema-${refName(s.$ref)}`}>{refName(s.$ref)}</a>;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return <>{(alternatives as Json[]).map((a, i) => <>{i > 0 ? " | " : ""}<TypeLabel schema={a} /></>)}</>;
  if (s.allOf) return <TypeLabel schema={s.allOf[0]} />;
  if (s.const !== undefined) return <code>{JSON.stringify(s.const)}</code>;
  if (s.enum) return <>{(s.enum as unknown[]).map((v, i) => <>{i > 0 ? " | " : ""}<code>{JSON.stringify(v)}</code></>)}</>;
  if (s.type === "array") return <><TypeLabel schema={s.items} />[]</>;
  if (s.type === "object" && !s.properties && s.additionalProperties) return <>map of <TypeLabel schema={s.additionalProperties} /></>;
  const format = s.format ? ` (${s.format})` : "";
  return <>{`${Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any")}${format}`}</>;
}

function constraints(s: Json): string {
  const parts: string[] = [];
  if (s.minLength !== undefined) parts.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) parts.push(`max length ${s.maxLength}`);
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) parts.push(`at least ${s.minItems}`);
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  if (s.pattern !== undefined && s.pattern.length < 40) parts.push(`pattern ${s.pattern}`);
  return parts.join(", ");
}

/** An object schema as a table of its fields; other schemas as their type. */
function SchemaTable(props: { schema: Json }) {
  const s = props.schema;
  const variants = (s.oneOf ?? s.anyOf) as Json[] | undefined;
  if (variants && variants.every((v) => v.type === "object")) {
    return <>{variants.map((v, i) => <div class="variant"><h5>{`Variant ${i + 1}`}</h5><SchemaTable schema={v} /></div>)}</>;
  }
  if (s.type !== "object" || !s.properties) return <p class="type">Type: <TypeLabel schema={s} /></p>;
  const required = new Set<string>(s.required ?? []);
  return (
    <table class="fields">
      <thead>
        <tr><th scope="col">field</th><th scope="col">type</th><th scope="col">about</th></tr>
      </thead>
      <tbody>
        {Object.entries(s.properties as Record<string, Json>).map(([name, p]) => (
          <tr>
            <td><code>{name}</code>{required.has(name) ? <span class="req" title="required">*</span> : ""}</td>
            <td><TypeLabel schema={p} /></td>
            <td>{[p.description, constraints(p)].filter(Boolean).join(". ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function resolveResponse(doc: Json, r: Json): Json {
  return r.$ref ? doc.components.responses[String(r.$ref).split("/").pop()!] : r;
}

function Operation(props: { doc: Json; method: string; path: string; op: Json }) {
  const { doc, method, path, op } = props;
  const params = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content?.["application/json"]?.schema as Json | undefined;
  return (
    <section class="op" id={op.operationId} aria-labelledby={`${op.operationId}-h`}>
      <h3 id={`${op.operationId}-h`}>
        <span class={`method m-${method}`}>{method.toUpperCase()}</span> <code>{path}</code> <span class="summary">{op.summary}</span>
      </h3>
      <Prose text={op.description} />
      {params.length > 0 && (
        <>
          <h4>Parameters</h4>
          <table class="fields">
            <thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">type</th><th scope="col">about</th></tr></thead>
            <tbody>
              {params.map((p) => (
                <tr>
                  <td><code>{p.name}</code>{p.required ? <span class="req" title="required">*</span> : ""}</td>
                  <td>{p.in}</td>
                  <td><TypeLabel schema={p.schema} /></td>
                  <td>{[p.description, constraints(p.schema ?? {})].filter(Boolean).join(". ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {body && (
        <>
          <h4>Request body {op.requestBody.required ? "" : "(optional)"}</h4>
          <SchemaTable schema={body} />
        </>
      )}
      <h4>Responses</h4>
      <dl class="responses">
        {Object.entries(op.responses as Record<string, Json>).map(([status, raw]) => {
          const r = resolveResponse(doc, raw);
          const types = Object.entries((r.content ?? {}) as Record<string, Json>);
          return (
            <>
              <dt class={`s${status[0]}`}>{status}</dt>
              <dd>
                {r.description}
                {types.map(([type, c]) => <> · <code>{type}</code> <TypeLabel schema={c.schema} /></>)}
              </dd>
            </>
          );
        })}
      </dl>
      <details class="try">
        <summary>Try it</summary>
        <form class="try-form" data-method={method.toUpperCase()} data-path={path}>
          {params
            .filter((p) => p.in !== "header")
            .map((p) => (
              <label>
                <span>{`${p.name} (${p.in})`}</span>
                <input name={p.name} data-in={p.in} required={p.in === "path"} />
              </label>
            ))}
          {body && (
            <label>
              <span>JSON body</span>
              <textarea name="body" rows={5}>{op.requestBody.required ? "{}" : ""}</textarea>
            </label>
          )}
          <button type="submit">Send</button>
          <output class="try-result"></output>
        </form>
      </details>
    </section>
  );
}

export function DocsPage(props: { doc: Json; assets: DocsAssets }) {
  const { doc, assets } = props;
  const operations: { tag: string; method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) operations.push({ tag: op.tags?.[0] ?? "Other", method, path, op });
  }
  const tags = doc.tags as { name: string; description: string }[];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${doc.info.title} ${doc.info.version} · reference`}</title>
        <link rel="stylesheet" href={assets.css.path} integrity={assets.css.integrity} />
        <script src={assets.js.path} integrity={assets.js.integrity} defer></script>
      </head>
      <body>
        <nav class="toc" aria-label="Contents">
          <p><strong>{doc.info.title}</strong> {doc.info.version}</p>
          <p><a href="/openapi.json">openapi.json</a></p>
          {tags.map((t) => (
            <>
              <h2 class="toc-tag">{t.name}</h2>
              <ul>
                {operations.filter((o) => o.tag === t.name).map((o) => (
                  <li><a href={`#${o.op.operationId}`}><span class={`method m-${o.method}`}>{o.method.toUpperCase()}</span> {o.path}</a></li>
                ))}
              </ul>
            </>
          ))}
          <h2 class="toc-tag"><a href="#webhooks">Webhooks</a></h2>
          <h2 class="toc-tag"><a href="#schemas">Schemas</a></h2>
        </nav>
        <main id="main">
          <h1>{doc.info.title}</h1>
          <Prose text={doc.info.description} />
          <form class="key" id="key-form">
            <label>
              <span>API key for “Try it” (kept in this tab only)</span>
              <input type="password" id="api-key" autocomplete="off" placeholder="opus_sk_..." />
            </label>
          </form>
          {tags.map((t) => (
            <section aria-labelledby={`tag-${t.name}`}>
              <h2 id={`tag-${t.name}`}>{t.name}</h2>
              <p>{t.description}</p>
              {operations.filter((o) => o.tag === t.name).map((o) => <Operation doc={doc} method={o.method} path={o.path} op={o.op} />)}
            </section>
          ))}
          <section id="webhooks" aria-labelledby="webhooks-h">
            <h2 id="webhooks-h">Webhooks</h2>
            {Object.entries(doc.webhooks as Record<string, Json>).map(([name, item]) => (
              <section class="op" id={`webhook-${name}`}>
                <h3><span class="method m-post">POST</span> <code>{name}</code></h3>
                <Prose text={item.post.description} />
                <p>Body: <a href="#schema-WebhookPayload">WebhookPayload</a> with <code>{`type: "${name}"`}</code>; headers {(item.post.parameters as Json[]).map((p) => <code>{p.name}</code>)}.</p>
              </section>
            ))}
          </section>
          <section id="schemas" aria-labelledby="schemas-h">
            <h2 id="schemas-h">Schemas</h2>
            {Object.entries(doc.components.schemas as Record<string, Json>).map(([name, schema]) => (
              <section class="schema" id={`schema-${name}`}>
                <h3>{name}</h3>
                {schema.description && <p>{schema.description}</p>}
                <SchemaTable schema={schema} />
              </section>
            ))}
          </section>
        </main>
      </body>
    </html>
  );
}
