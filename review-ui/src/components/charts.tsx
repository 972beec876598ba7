import { useId } from 'react';

// Hand-made SVG charts: a stacked bar chart and a line chart. Each also renders its numbers as a
// visually hidden table, so a screen reader gets the data rather than a picture.

export const SERIES_COLOURS = ['#c62828', '#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

export interface StackedBarDatum {
  label: string;
  values: Record<string, number>;
}

interface StackedBarProps {
  title: string;
  data: StackedBarDatum[];
  series: { key: string; label: string }[];
  height?: number;
  /** Width of the drawing in its own units: with `fontSize`, sets how large the text is against the bars. */
  width?: number;
  fontSize?: number;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v) return m * pow;
  return 10 * pow;
}

export function StackedBarChart({ title, data, series, height = 180, width = 600, fontSize = 10 }: StackedBarProps) {
  const id = useId();
  const pad = { l: 3.6 * fontSize, r: 8, t: 8, b: 2.8 * fontSize };
  const totals = data.map((d) => series.reduce((s, k) => s + (d.values[k.key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const innerW = width - pad.l - pad.r;
  const innerH = height - pad.t - pad.b;
  const bw = data.length ? innerW / data.length : innerW;
  // as many axis labels as fit side by side (about four characters each)
  const labelEvery = Math.max(1, Math.ceil(data.length / Math.max(1, Math.floor(innerW / (fontSize * 3.2)))));
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={id} preserveAspectRatio="none">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={width - pad.r} y1={pad.t + innerH * (1 - f)} y2={pad.t + innerH * (1 - f)} stroke="#ccc" />
            <text x={pad.l - 4} y={pad.t + innerH * (1 - f) + fontSize * 0.4} textAnchor="end" fontSize={fontSize}>
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          let y = pad.t + innerH;
          return (
            <g key={d.label}>
              {series.map((s, si) => {
                const v = d.values[s.key] ?? 0;
                const h = (v / max) * innerH;
                y -= h;
                return v > 0 ? (
                  <rect key={s.key} x={pad.l + i * bw + 1} y={y} width={Math.max(bw - 2, 1)} height={h} fill={SERIES_COLOURS[si % SERIES_COLOURS.length]}>
                    <title>{`${d.label} · ${s.label}: ${v}`}</title>
                  </rect>
                ) : null;
              })}
              {i % labelEvery === 0 && (
                <text x={pad.l + i * bw + bw / 2} y={height - fontSize} textAnchor="middle" fontSize={fontSize}>
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
      <DataTable title={title} rows={data.map((d) => [d.label, ...series.map((s) => d.values[s.key] ?? 0)])} columns={series.map((s) => s.label)} />
    </figure>
  );
}

function Legend({ series }: { series: { key: string; label: string }[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s.key}>
          <span className="swatch" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function DataTable({ title, columns, rows }: { title: string; columns: string[]; rows: (string | number)[][] }) {
  // A table ignores width, height and overflow, so the hiding box is a div around it.
  return (
    <div className="visually-hidden">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col" />
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={String(r[0])}>
              <th scope="row">{r[0]}</th>
              {r.slice(1).map((v, i) => (
                <td key={i}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
