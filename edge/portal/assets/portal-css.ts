// The portal's one stylesheet, served by the edge itself (edge/portal/assets/serve.ts): no CDN, no
// inline styles (the CSP allows styles from 'self' only). Severity is never shown by colour alone:
// each has its own underline style and a text label.
export const portalCss = String.raw`
:root {
  --ink: #1d1d1f; --muted: #5a5a66; --paper: #fffdf8; --panel: #f4f1ea; --line: #d8d2c4; --accent: #5b2a86;
  --info: #2f6690; --warning: #8a5a00; --error: #b3261e; --critical: #7a0016;
  --info-bg: #e4eef6; --warning-bg: #fbefcf; --error-bg: #fbe1df; --critical-bg: #f6d2d8;
  --focus: #0b57d0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--ink); background: var(--paper);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.5; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
.vh { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.site-header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.25rem; background: #2b1740; color: #fff; }
.site-header a { color: #fff; }
.brand { font-weight: 700; text-decoration: none; letter-spacing: .02em; }
.site-header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.site-header .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; font-size: .9rem; }
.site-header button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { padding: 1rem 1.25rem 3rem; max-width: 90rem; margin: 0 auto; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; }
.site-footer { border-top: 1px solid var(--line); padding: .75rem 1.25rem; color: var(--muted); font-size: .85rem; }
kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 .3rem; font-size: .85em; background: #fff; }
button, .button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--error); border-color: var(--error); }
label { font-weight: 600; }
input[type=text], input[type=password], input[type=search], select, textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #8d8799; border-radius: 4px; background: #fff; max-width: 100%; }
textarea { width: 100%; min-height: 5rem; }
.notice { padding: .6rem .9rem; border-radius: 4px; border: 1px solid var(--line); background: var(--panel); margin: .75rem 0; }
.notice.ok { border-color: #2e7d32; background: #e6f4e7; }
.notice.problem { border-color: var(--error); background: var(--error-bg); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; }
.sign-in { max-width: 30rem; margin: 3rem auto; }
.sign-in .field { display: grid; gap: .3rem; margin: 1rem 0; }
.hint { color: var(--muted); font-size: .9rem; margin: .2rem 0; }

/* Queue */
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: end; margin: .5rem 0 1rem; }
.filters div { display: grid; gap: .2rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); font-size: .9rem; white-space: nowrap; }
thead th a { text-decoration: none; color: var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pager { display: flex; gap: 1rem; align-items: center; margin: 1rem 0; }
.empty { padding: 2rem; text-align: center; color: var(--muted); }

/* Severity labels: text first, colour second. */
.sev { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; padding: 0 .35rem; border-radius: 3px; border: 1px solid currentColor; white-space: nowrap; }
.sev-info { color: var(--info); } .sev-warning { color: var(--warning); } .sev-error { color: var(--error); } .sev-critical { color: var(--critical); }
.sev-critical.sev { background: var(--critical-bg); } .sev-error.sev { background: var(--error-bg); } .sev-warning.sev { background: var(--warning-bg); } .sev-info.sev { background: var(--info-bg); }

/* Entry page */
.entry-head { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: baseline; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0; padding: 0; list-style: none; color: var(--muted); }
.facts strong { color: var(--ink); }
.summary { display: grid; grid-template-columns: minmax(0, 30rem) minmax(0, 34rem); gap: 1rem; margin: .75rem 0 1rem; align-items: start; }
.summary .card { padding: .75rem 1rem; }
.issue-line { margin: .5rem 0; max-width: 66rem; }
.summary h2 { margin-top: 0; font-size: 1.05rem; }
.scores td, .scores th { padding: .25rem .4rem; }
meter { width: 4rem; vertical-align: middle; }
.scores td.num { white-space: nowrap; }

.actions .row { display: flex; gap: .5rem; align-items: start; }
.actions .row textarea, .actions .row input { flex: 1; min-height: 2.3rem; }
.actions form { margin: 0 0 .6rem; }
.section { display: grid; grid-template-columns: minmax(0, 46rem) 19rem; justify-content: start; gap: 1.5rem; border-top: 2px solid var(--line); padding-top: .75rem; margin-top: 1.25rem; }
.section-text { max-width: 46rem; font-family: Georgia, "Times New Roman", serif; font-size: 1.05rem; }
.section-text h2 { font-family: system-ui, sans-serif; margin: .25rem 0 .75rem; }
.para { position: relative; margin: 0 0 1rem; }
.para p { margin: 0; text-indent: 1.5em; }
.para .edit-link { font-family: system-ui, sans-serif; font-size: .8rem; margin-left: .4rem; }
.para.quote p { text-indent: 0; margin-left: 2em; font-style: italic; }
.plan { font-size: .9rem; background: var(--panel); border-radius: 6px; padding: .75rem 1rem; align-self: start; position: sticky; top: .5rem; }
.plan h3 { font-size: .95rem; margin: 0 0 .4rem; }
.plan ul { padding-left: 1.1rem; margin: .3rem 0; }
.plan .send-back { border-top: 1px solid var(--line); margin-top: .75rem; padding-top: .6rem; }
.plan .send-back label { font-weight: 600; }
mark.issue { background: none; color: inherit; text-decoration-line: underline; text-decoration-thickness: 2px; text-underline-offset: 3px; }
mark.issue.sev-info { text-decoration-style: dotted; text-decoration-color: var(--info); }
mark.issue.sev-warning { text-decoration-style: dashed; text-decoration-color: var(--warning); background: #fff6dc; }
mark.issue.sev-error { text-decoration-style: wavy; text-decoration-color: var(--error); background: #fdeceb; }
mark.issue.sev-critical { text-decoration-style: double; text-decoration-color: var(--critical); background: #f9dde2; }
/* An issue about a whole paragraph or heading: a rule beside it, styled by severity. */
.wide { border-left: 4px solid; padding-left: .6rem; margin-left: -1rem; }
.wide { color: var(--ink); }
.wide.sev-info { border-left-style: dotted; border-left-color: var(--info); } .wide.sev-warning { border-left-style: dashed; border-left-color: var(--warning); }
.wide.sev-error { border-left-style: solid; border-left-color: var(--error); } .wide.sev-critical { border-left-style: double; border-left-width: 6px; border-left-color: var(--critical); }
.wide.current { outline: 3px solid var(--focus); outline-offset: 2px; }
a.issue-ref { font-family: system-ui, sans-serif; font-size: .7rem; font-weight: 700; vertical-align: super; line-height: 0; text-decoration: none; padding: 0 .15rem; border-radius: 2px; border: 1px solid currentColor; margin-left: 1px; }
a.issue-ref.current, mark.issue.current { outline: 3px solid var(--focus); outline-offset: 1px; }
.notes { font-family: system-ui, sans-serif; font-size: .88rem; border-left: 3px solid var(--line); padding-left: .75rem; margin: .5rem 0 1rem; }
.notes summary { cursor: pointer; font-weight: 600; }
.notes ol { padding-left: 1.2rem; margin: .4rem 0; }
.notes li { margin: .35rem 0; }
.notes li.current { background: #eef3fd; }
.notes .rule { font-family: ui-monospace, monospace; font-size: .82rem; }
.notes .dim { color: var(--muted); }
.notes .suggestion { margin: .1rem 0 0; color: #24452a; }
.citations table { font-size: .9rem; }
.verified { color: #1f6b2a; font-weight: 600; } .unverified { color: var(--warning); font-weight: 600; } .misattributed { color: var(--error); font-weight: 600; } .unchecked { color: var(--muted); }
.revise-submit { margin: 1.5rem 0; }
.edit-form textarea { min-height: 10rem; font-family: Georgia, serif; font-size: 1rem; }
.edit-form .row { display: flex; gap: .5rem; margin-top: .5rem; }

/* Progress, history, diff */
progress { width: 100%; height: 1.2rem; }
.diff-section { border-top: 1px solid var(--line); padding: .5rem 0; }
.diff-text { font-family: Georgia, serif; white-space: pre-wrap; max-width: 50rem; }
ins { background: #d7f5dc; text-decoration: underline; text-decoration-color: #2e7d32; }
del { background: #fbdcdc; text-decoration: line-through; }
.unchanged { color: var(--muted); }

dialog { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.5rem; max-width: 28rem; }
dialog::backdrop { background: #0006; }
dialog dl { display: grid; grid-template-columns: auto 1fr; gap: .4rem 1rem; }
dialog dd { margin: 0; }

@media (max-width: 64rem) {
  .section, .summary { grid-template-columns: 1fr; }
  .plan { position: static; }
}
/* The operations dashboard (edge/ops/page.tsx) */
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.figure { background: #fff; border: 1px solid var(--line); border-left: 4px solid #2e7d32; border-radius: 6px; padding: .6rem .8rem; display: flex; flex-direction: column; }
.figure.alert { border-left-color: var(--error); background: var(--error-bg); }
.figure-label { font-size: .85rem; color: var(--muted); }
.figure-value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
.ops-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; margin: 1rem 0; }
.card.ops-wide { margin: 1rem 0; overflow-x: auto; }
.figure .hint { overflow-wrap: anywhere; }
td.node-id { white-space: nowrap; }
svg.chart.full { width: 100%; }
.card h2 { margin-top: 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
.chart-figure { margin: 0; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; font-size: .85rem; margin-top: .3rem; }
table.compact { margin-top: .75rem; font-size: .9rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .85rem; font-weight: 600; border: 1px solid; }
.badge.good { color: #1b5e20; border-color: #2e7d32; background: #e6f4e7; }
.badge.bad { color: var(--error); border-color: var(--error); background: var(--error-bg); }
ul.plain { list-style: none; padding: 0; margin: .3rem 0; }
`;
