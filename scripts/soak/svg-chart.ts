// A small SVG line chart for the soak report, written by hand (no plotting library): lines over
// time, fault windows as shaded bands, one-gate faults as ticks along the bottom. Pure.

export interface ChartSeries {
  name: string;
  color: string;
  /** [x (seconds), y]; NaN y values break the line. */
  points: ReadonlyArray<readonly [number, number]>;
  dashed?: boolean;
}

export interface ChartSpan {
  fromS: number;
  toS: number;
  label: string;
  color: string;
}

export interface ChartTick {
  atS: number;
  color: string;
}

export interface ChartSpec {
  title: string;
  yLabel: string;
  /** The x axis runs from 0 to this many seconds. */
  xMaxS: number;
  series: readonly ChartSeries[];
  spans?: readonly ChartSpan[];
  ticks?: readonly ChartTick[];
  /** Lower end of the y axis (default: 0, or below 0 when a value is). */
  yMin?: number;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 16, top: 30, bottom: 64 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** A "nice" step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** Axis labels: whole numbers as they are, others to two significant decimals at most ("0.5", "2.25"). */
export function axisLabel(v: number): string {
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Math.round(v * 100) / 100);
}

export function renderLineChart(spec: ChartSpec): string {
  const width = spec.width ?? 920;
  const height = spec.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const dataMax = ys.length ? Math.max(...ys) : 1;
  const dataMin = ys.length ? Math.min(...ys) : 0;
  const yStep = niceStep(Math.max(dataMax - Math.min(0, dataMin), 1e-9), 5);
  const yMin = spec.yMin ?? (dataMin < 0 ? Math.floor(dataMin / yStep) * yStep : 0);
  const yMax = Math.max(yMin + yStep, Math.ceil(dataMax / yStep) * yStep);
  const xMax = Math.max(1, spec.xMaxS);
  const x = (s: number) => MARGIN.left + (Math.min(Math.max(s, 0), xMax) / xMax) * plotW;
  const y = (v: number) => MARGIN.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  for (const span of spec.spans ?? []) {
    const x0 = x(span.fromS);
    const w = Math.max(1.5, x(span.toS) - x0);
    out.push(
      `<rect x="${x0.toFixed(1)}" y="${MARGIN.top}" width="${w.toFixed(1)}" height="${plotH}" fill="${span.color}" fill-opacity="0.18"><title>${escapeXml(span.label)}</title></rect>`,
    );
  }
  for (let v = yMin; v <= yMax + yStep / 1e6; v += yStep) {
    const yy = y(v).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${yy}" y2="${yy}" stroke="#dddddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${axisLabel(v)}</text>`,
    );
  }
  const xStep = niceStep(xMax / 60, 8) * 60; // minutes
  for (let s = 0; s <= xMax + 1e-6; s += xStep) {
    const xx = x(s).toFixed(1);
    out.push(
      `<line x1="${xx}" x2="${xx}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333333"/>`,
      `<text x="${xx}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${axisLabel(s / 60)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333"/>`,
    `<text x="${MARGIN.left + plotW}" y="${MARGIN.top + plotH + 30}" text-anchor="end">minutes into the scanning phase</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  for (const tick of spec.ticks ?? []) {
    const xx = x(tick.atS).toFixed(1);
    const y0 = MARGIN.top + plotH;
    out.push(`<line x1="${xx}" x2="${xx}" y1="${y0 - 8}" y2="${y0}" stroke="${tick.color}" stroke-width="1.5"/>`);
  }
  for (const s of spec.series) {
    const segments: string[] = [];
    let current = '';
    for (const [px, py] of s.points) {
      if (!Number.isFinite(py) || !Number.isFinite(px)) {
        if (current) segments.push(current);
        current = '';
        continue;
      }
      current += `${current ? 'L' : 'M'}${x(px).toFixed(1)} ${y(py).toFixed(1)}`;
    }
    if (current) segments.push(current);
    for (const d of segments) {
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    }
  }
  let lx = MARGIN.left;
  const ly = height - 12;
  for (const s of spec.series) {
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${lx + 22}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
    lx += 30 + s.name.length * 6.5;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
