import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { RunSummaryView } from '../../../../common/schema/api.ts';
import { RunEta } from './RunEta.tsx';

// Rendered to static HTML in node: what the run page's head says of the run's end.

const now = new Date(2026, 11, 4, 9, 0).getTime();
const iso = (h: number, m: number) => new Date(2026, 11, 4, h, m).toISOString();
const run = (eta: RunSummaryView['eta']) => ({ eta }) as RunSummaryView;

describe('<RunEta>', () => {
  it('says when a running run should be done, the first estimate beside it and its basis on hover', () => {
    const html = renderToStaticMarkup(<RunEta run={run({ status: 'running', at: iso(9, 42), remainingS: 2520, firstAt: iso(9, 35), basis: "hardware from this run's inventory" })} now={now} />);
    expect(html).toContain('<strong>Done around 09:42</strong>');
    expect(html).toContain('first estimate 09:35');
    expect(html).toContain('title="Estimate from hardware from this run&#x27;s inventory"');
    expect(html).not.toContain('attention');
  });

  it('says a held run waits for a person instead of counting down', () => {
    const html = renderToStaticMarkup(<RunEta run={run({ status: 'waiting-for-person', at: null, remainingS: 600, firstAt: iso(9, 35), basis: 'x' })} now={now} />);
    expect(html).toContain('<strong>Waiting for a person (about 10 min of testing left once it continues)</strong>');
    expect(html).toContain('class="run-eta attention"');
    expect(html).not.toMatch(/Done around/);
  });

  it('says nothing for an abandoned run, or a server that sends no estimate', () => {
    expect(renderToStaticMarkup(<RunEta run={run({ status: 'ended', at: null, remainingS: null, firstAt: null, basis: 'x' })} now={now} />)).toBe('');
    expect(renderToStaticMarkup(<RunEta run={run(undefined)} now={now} />)).toBe('');
  });
});
