import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { SeriesChart } from './SeriesChart.tsx';

// Rendered to static SVG in node at a fixed width: what the browser paints, minus the hover.

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
function sensors(n: number, points = 50) {
  return Array.from({ length: n }, (_, s) => ({
    sensor: `hwmon${s >> 3}/temp${(s & 7) + 1}`,
    unit: '°C',
    rawCount: points * 24,
    points: Array.from({ length: points }, (_, i) => [T0 + i * 60_000, 40 + s + Math.sin(i / 5) * 4] as [number, number]),
  }));
}
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe('<SeriesChart>', () => {
  it('draws one path per sensor, the ceiling with its label, and says what it shows', () => {
    const html = renderToStaticMarkup(<SeriesChart data={sensors(40)} unit="°C" ceiling={85} zoom={null} testId="thermal-chart" width={1200} />);
    expect(html).toContain('data-testid="thermal-chart"');
    expect(html).toContain('data-series="40"');
    expect(html).toContain('data-points="2000"');
    expect(count(html, /<path class="series-line[^"]*"[^>]* d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){49}"/g)).toBe(40);
    expect(html).toMatch(/<g class="chart-ceiling"><line [^>]*>(<\/line>)?<text[^>]*>max 85 °C<\/text><\/g>/);
    expect(html).toMatch(/role="img" aria-label="40 sensors in °C, [\d.]+ to [\d.]+ °C, \d\d:\d\d:\d\d to \d\d:\d\d:\d\d, ceiling 85 °C"/);
    // More than 16 sensors: no legend, a note instead.
    expect(html).not.toContain('chart-legend');
    expect(html).toContain('40 sensors (legend hidden');
  });

  it('keeps the ceiling on the value axis even above every reading', () => {
    const html = renderToStaticMarkup(<SeriesChart data={sensors(2)} unit="°C" ceiling={120} zoom={null} testId="thermal-chart" width={800} />);
    const y = Number(/<g class="chart-ceiling"><line x1="\d+" x2="\d+" y1="([\d.]+)"/.exec(html)?.[1]);
    expect(y).toBeGreaterThanOrEqual(12); // inside the plot's top margin
    expect(html).toContain('120 °C</text>'); // a tick reaches it
  });

  it('shows a legend for a few sensors and no ceiling when there is none', () => {
    const html = renderToStaticMarkup(<SeriesChart data={sensors(3)} unit="W" ceiling={null} zoom={null} testId="psu-chart" width={800} />);
    expect(count(html, /<li>/g)).toBe(3);
    expect(html).toContain('hwmon0/temp3');
    expect(html).not.toContain('chart-ceiling');
  });

  it('spans the zoom window rather than the data when zoomed', () => {
    const zoom = { from: T0 - 3_600_000, to: T0 + 3 * 3_600_000 };
    const html = renderToStaticMarkup(<SeriesChart data={sensors(1, 10)} unit="°C" ceiling={null} zoom={zoom} testId="thermal-chart" width={876} />);
    // Plot from x=76 to x=852 over 4 h: the first point (T0) sits a quarter in.
    expect(html).toMatch(/ d="M270,/);
  });
});
