import { describe, expect, it } from 'vitest';
import { classifyUrl, isAllowedUrl, reportUrl } from './allowed-urls.ts';

const control = 'http://127.0.0.1:43117';

describe('classifyUrl', () => {
  it('allows the app origin, with any path, query and hash', () => {
    expect(classifyUrl('http://127.0.0.1:43117/', control)).toBe('app');
    expect(classifyUrl('http://127.0.0.1:43117/hosts/r730-07?tab=runs#x', control)).toBe('app');
    expect(classifyUrl('http://127.0.0.1:43117/?token=abc', control)).toBe('app');
  });

  it('recognises report pages of a run', () => {
    expect(classifyUrl('http://127.0.0.1:43117/api/runs/42/report.html', control)).toBe('report');
    expect(classifyUrl('http://127.0.0.1:43117/api/runs/42/report.html?print=1', control)).toBe('report');
    expect(classifyUrl('http://127.0.0.1:43117/api/runs/0/report.html', control)).toBe('app');
    expect(classifyUrl('http://127.0.0.1:43117/api/runs/x/report.html', control)).toBe('app');
    expect(classifyUrl('http://127.0.0.1:43117/api/runs/42/report.json', control)).toBe('app');
  });

  it('blocks other ports, hosts and schemes', () => {
    expect(classifyUrl('http://127.0.0.1:8069/', control)).toBe('blocked');
    expect(classifyUrl('http://localhost:43117/', control)).toBe('blocked');
    expect(classifyUrl('https://127.0.0.1:43117/', control)).toBe('blocked');
    expect(classifyUrl('https://example.com/api/runs/1/report.html', control)).toBe('blocked');
    expect(classifyUrl('file:///etc/passwd', control)).toBe('blocked');
    expect(classifyUrl('data:text/html,<script>alert(1)</script>', control)).toBe('blocked');
    expect(classifyUrl('javascript:alert(1)', control)).toBe('blocked');
    expect(classifyUrl('about:blank', control)).toBe('blocked');
  });

  it('blocks look-alike hosts and embedded credentials', () => {
    expect(classifyUrl('http://127.0.0.1:43117@evil.test/', control)).toBe('blocked');
    expect(classifyUrl('http://user:pw@127.0.0.1:43117/', control)).toBe('blocked');
    expect(classifyUrl('http://127.0.0.1.evil.test:43117/', control)).toBe('blocked');
  });

  it('blocks everything when either URL does not parse', () => {
    expect(classifyUrl('not a url', control)).toBe('blocked');
    expect(classifyUrl('http://127.0.0.1:43117/', 'nonsense')).toBe('blocked');
    expect(classifyUrl('', '')).toBe('blocked');
  });

  it('normalises dot segments before deciding', () => {
    expect(classifyUrl('http://127.0.0.1:43117/x/../api/runs/7/report.html', control)).toBe('report');
  });
});

describe('isAllowedUrl / reportUrl', () => {
  it('agree with classifyUrl', () => {
    expect(isAllowedUrl(`${control}/`, control)).toBe(true);
    expect(isAllowedUrl('https://example.com/', control)).toBe(false);
    expect(reportUrl(control, 9)).toBe('http://127.0.0.1:43117/api/runs/9/report.html');
    expect(classifyUrl(reportUrl(`${control}/`, 9), control)).toBe('report');
  });
});
