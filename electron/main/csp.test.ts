import { describe, expect, it } from 'vitest';
import { APP_CSP, REPORT_CSP, cspFor, withCsp } from './csp.ts';

const control = 'http://127.0.0.1:43117';

describe('cspFor', () => {
  it('gives the app policy to app pages and the report policy to reports', () => {
    expect(cspFor(`${control}/`, control)).toBe(APP_CSP);
    expect(cspFor(`${control}/assets/index-abc.js`, control)).toBe(APP_CSP);
    expect(cspFor(`${control}/api/runs/3/report.html`, control)).toBe(REPORT_CSP);
    expect(cspFor('https://example.com/', control)).toBeNull();
  });

  it('never allows inline or foreign scripts', () => {
    const scriptSrc = APP_CSP.split('; ').find((d) => d.startsWith('script-src'));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe-eval');
    expect(APP_CSP).toContain("object-src 'none'");
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(REPORT_CSP).not.toContain('script-src');
  });
});

describe('withCsp', () => {
  it('adds the header for app responses without touching the input', () => {
    const input = { 'Content-Type': ['text/html'] };
    const out = withCsp(`${control}/`, control, input);
    expect(out['Content-Security-Policy']).toEqual([APP_CSP]);
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(input).toEqual({ 'Content-Type': ['text/html'] });
  });

  it('keeps a policy the server sent and appends its own, whatever the header case', () => {
    const out = withCsp(`${control}/`, control, { 'content-security-policy': ["default-src 'self'"] });
    expect(out['content-security-policy']).toEqual(["default-src 'self'", APP_CSP]);
    expect(Object.keys(out)).toHaveLength(1);
  });

  it('leaves foreign responses alone and copes with no headers', () => {
    expect(withCsp('https://example.com/', control, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(withCsp(`${control}/`, control, undefined)).toEqual({ 'Content-Security-Policy': [APP_CSP] });
  });
});
