import { describe, expect, it } from 'vitest';
import { axisLabel, escapeXml, niceStep, renderLineChart } from '../../../scripts/soak/svg-chart.js';

describe('SVG chart', () => {
  const svg = renderLineChart({
    title: 'RSS <MB> & "fds"',
    yLabel: 'MB',
    xMaxS: 600,
    series: [
      {
        name: 'p50',
        color: '#000',
        points: [
          [0, 1],
          [60, 2],
          [120, Number.NaN],
          [180, 3],
          [240, 4],
        ],
      },
      { name: 'p99', color: '#f00', points: [[0, 5]], dashed: true },
    ],
    spans: [{ fromS: 30, toS: 90, label: 'net-4g', color: '#00f' }],
    ticks: [{ atS: 100, color: '#0f0' }],
  });

  it('is one standalone SVG document with balanced tags and escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('RSS &lt;MB&gt; &amp; &quot;fds&quot;');
    expect(svg).not.toContain('<MB>');
    for (const tag of ['text', 'title']) {
      expect(svg.split(`<${tag}`).length).toBe(svg.split(`</${tag}>`).length);
    }
  });

  it('breaks a line at a missing value, shades fault windows, ticks one-gate faults', () => {
    const paths = svg.match(/<path d="[^"]+"/g) ?? [];
    expect(paths).toHaveLength(3); // p50 in two pieces, p99 as one
    expect(svg).toContain('<title>net-4g</title>');
    expect(svg).toContain('stroke="#0f0"');
    expect(svg).toContain('stroke-dasharray="5 3"');
  });

  it('places points inside the plot area', () => {
    for (const m of svg.matchAll(/[ML]([\d.]+) ([\d.]+)/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(64);
      expect(Number(m[1])).toBeLessThanOrEqual(904);
    }
  });

  it('nice steps and axis labels', () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceStep(0.3, 3)).toBeCloseTo(0.1);
    expect(axisLabel(0.5)).toBe('0.5');
    expect(axisLabel(2)).toBe('2');
    expect(axisLabel(1234.5)).toBe('1235');
    expect(escapeXml(`a'b`)).toBe('a&apos;b');
  });
});

describe('chart title', () => {
  it('names the chart in a <title> first (an accessible name)', () => {
    const svg = renderLineChart({ title: 'A & B', yLabel: 'y', xMaxS: 60, series: [] });
    expect(svg.split('\n')[1]).toBe('<title>A &amp; B</title>');
  });
});
