// Small charts drawn on the server as inline SVG: no chart library, no script, nothing from a CDN.
// Colours are SVG presentation attributes (not CSS), so the portal's CSP (styles from 'self' only)
// allows them. Every chart is an image with a text label, and the page shows its figures in text too.
import type { Child } from "hono/jsx";

export type Bar = { label: string; value: number; shown?: string; color?: string };

const palette = ["#5b2a86", "#2f6690", "#2e7d32", "#8a5a00", "#b3261e", "#6d6d7a", "#0b57d0", "#7a0016"];
export const colorAt = (i: number) => palette[i % palette.length]!;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Horizontal bars, one row per item, the value written after each bar. */
export function BarChart(props: { label: string; bars: Bar[]; width?: number; labelWidth?: number }) {
  const width = props.width ?? 420;
  const row = 22;
  const labelWidth = props.labelWidth ?? 130;
  const valueWidth = 70;
  const height = Math.max(1, props.bars.length) * row + 4;
  const max = Math.max(1e-9, ...props.bars.map((b) => b.value));
  const room = width - labelWidth - valueWidth;
  if (props.bars.length === 0) return <p class="hint">Nothing to show yet.</p>;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={props.label}>
      <title>{props.label}</title>
      {props.bars.map((b, i) => {
        const y = i * row + 2;
        const w = b.value > 0 ? Math.max(2, (b.value / max) * room) : 0;
        return (
          <g>
            <text x={labelWidth - 6} y={y + 15} text-anchor="end" font-size="12" fill="#1d1d1f">
              {b.label.length > labelWidth / 6.5 ? `${b.label.slice(0, Math.floor(labelWidth / 6.5) - 1)}…` : b.label}
            </text>
            <rect x={labelWidth} y={y + 3} width={w.toFixed(1)} height={row - 8} rx="2" fill={b.color ?? colorAt(i)} />
            <text x={labelWidth + w + 6} y={y + 15} font-size="12" fill="#1d1d1f">
              {b.shown ?? fmt(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export type Series = { key: string; label: string; color: string };

/** Stacked columns per hour (the last `hours.length` hours), with a legend. */
export function HourlyChart(props: { label: string; hours: { hour: string; values: Record<string, number> }[]; series: Series[] }) {
  const width = 720;
  const height = 170;
  const left = 34;
  const bottom = 22;
  const top = 8;
  const plotH = height - bottom - top;
  const n = Math.max(1, props.hours.length);
  const slot = (width - left - 4) / n;
  const totals = props.hours.map((h) => props.series.reduce((s, se) => s + (h.values[se.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  return (
    <figure class="chart-figure">
      <svg class="chart full" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
        <title>{props.label}</title>
        {ticks.map((t) => {
          const y = top + plotH - (t / max) * plotH;
          return (
            <g>
              <line x1={left} x2={width - 2} y1={y} y2={y} stroke="#d8d2c4" stroke-width="1" />
              <text x={left - 4} y={y + 4} text-anchor="end" font-size="10" fill="#5a5a66">
                {String(t)}
              </text>
            </g>
          );
        })}
        {props.hours.map((h, i) => {
          let y = top + plotH;
          const x = left + i * slot + 1;
          const parts: Child[] = [];
          for (const se of props.series) {
            const v = h.values[se.key] ?? 0;
            if (v <= 0) continue;
            const hgt = (v / max) * plotH;
            y -= hgt;
            parts.push(
              <rect x={x.toFixed(1)} y={y.toFixed(1)} width={Math.max(1, slot - 2).toFixed(1)} height={hgt.toFixed(1)} fill={se.color}>
                <title>{`${h.hour.slice(11, 16)} UTC: ${v} ${se.label}`}</title>
              </rect>,
            );
          }
          const hourLabel = i % 3 === 0 || i === n - 1 ? (
            <text x={(x + slot / 2).toFixed(1)} y={height - 6} text-anchor="middle" font-size="10" fill="#5a5a66">
              {h.hour.slice(11, 13)}
            </text>
          ) : null;
          return (
            <g>
              {parts}
              {hourLabel}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {props.series.map((se) => (
          <span>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={se.color} />
            </svg>{" "}
            {se.label}
          </span>
        ))}
        <span class="hint">hours in UTC</span>
      </figcaption>
    </figure>
  );
}

/** A load meter: `used` of `total`, as a thin bar with its figures. */
export function Meter(props: { label: string; used: number; total: number }) {
  const width = 120;
  const share = props.total > 0 ? Math.min(1, props.used / props.total) : 0;
  const color = share >= 1 ? "#b3261e" : share >= 0.75 ? "#8a5a00" : "#2e7d32";
  return (
    <svg class="meter" viewBox={`0 0 ${width} 10`} width={width} height="10" role="img" aria-label={`${props.label}: ${props.used} of ${props.total}`}>
      <rect width={width} height="10" rx="3" fill="#f4f1ea" stroke="#d8d2c4" />
      <rect width={(share * width).toFixed(1)} height="10" rx="3" fill={color} />
    </svg>
  );
}
