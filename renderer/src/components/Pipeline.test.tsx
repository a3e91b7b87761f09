import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { STAGES, stageDefinition } from '../../../common/stages/index.ts';
import { derivePipeline } from '../logic/pipeline.ts';
import { runStatePresentation } from '../logic/board.ts';
import { Pipeline } from './Pipeline.tsx';
import { StateBadge } from './StateBadge.tsx';

// Rendered to static HTML in node: the markup a person (and a screen reader) gets.

describe('<Pipeline>', () => {
  const cells = derivePipeline(
    [
      { name: 'Inventory', attempt: 1, outcome: 'passed', passed: true, message: null, startedAt: 'x', completedAt: 'y', summary: null, coverage: [] },
      { name: 'SpecValidate', attempt: 1, outcome: 'failed', passed: false, message: 'CPU model differs', startedAt: 'x', completedAt: 'y', summary: null, coverage: [] },
    ],
    [],
    { state: 'FailedHolding' },
  );

  it('draws every stage of the list, labelled, with icon and word, not colour alone', () => {
    const html = renderToStaticMarkup(<Pipeline cells={cells} />);
    expect(html.match(/<li /g)).toHaveLength(STAGES.length);
    expect(html).toContain(`style="--stages:${STAGES.length}"`);
    expect(html).toContain(`title="${stageDefinition('Inventory').title}`);
    expect(html).toContain('aria-label="Inventory: passed"');
    expect(html).toContain('aria-label="SpecValidate: failed — CPU model differs"');
    expect(html).toContain('data-status="failed"');
    expect(html).toMatch(/✗<\/span><span class="stage-name">SpecValidate<\/span><span class="stage-status">failed/);
  });

  it('uses short names on board tiles but keeps full names in the labels', () => {
    const html = renderToStaticMarkup(<Pipeline cells={cells} compact />);
    expect(html).toContain('<span class="stage-name">Spec</span>');
    // A stage without a short name keeps its own.
    expect(html).toContain('<span class="stage-name">Storage</span>');
    expect(html).toContain('aria-label="SpecValidate: failed — CPU model differs"');
  });

  it('shows the percent and a bar for a running stage', () => {
    const running = derivePipeline([], [{ stage: 'Inventory', item: null, percent: 42.4, etaS: null, message: null, ts: 1 }], { state: 'Inventory' });
    const html = renderToStaticMarkup(<Pipeline cells={running} />);
    expect(html).toContain('aria-label="Inventory: running 42%"');
    expect(html).toContain('style="width:42.4%"');
  });
});

describe('<StateBadge>', () => {
  it('pairs the tone with an icon and text', () => {
    const html = renderToStaticMarkup(<StateBadge state={runStatePresentation(null)} large />);
    expect(html).toContain('class="badge tone-idle badge-large"');
    expect(html).toContain('Idle');
  });
});
