import { describe, expect, it } from 'vitest';
import { checkChannelsJson } from './channels.ts';

describe('checkChannelsJson', () => {
  it('accepts valid channels', () => {
    const r = checkChannelsJson(
      JSON.stringify([
        { id: 'desk', name: 'Bench screen', type: 'desktop' },
        { id: 'ops', name: 'Ops hook', type: 'webhook', url: 'https://hooks.example.test/vetting', secret: '********', events: ['UnexpectedData'] },
      ]),
    );
    expect(r.ok).toBe(true);
  });
  it('names bad JSON, a non-array and the bad field of a channel', () => {
    expect(checkChannelsJson('{oops')).toMatchObject({ ok: false, problems: [expect.stringMatching(/^not valid JSON/)] });
    expect(checkChannelsJson('{}')).toMatchObject({ ok: false, problems: [expect.stringMatching(/JSON array/)] });
    const r = checkChannelsJson(JSON.stringify([{ id: 'x', name: 'X', type: 'webhook', url: 'ftp://nope' }]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^channel 1 · url: /);
  });
  it('refuses duplicate ids', () => {
    const r = checkChannelsJson(JSON.stringify([{ id: 'a', name: 'A', type: 'desktop' }, { id: 'a', name: 'B', type: 'desktop' }]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join()).toMatch(/duplicate channel id a/);
  });
});
