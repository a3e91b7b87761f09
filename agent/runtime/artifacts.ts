import http from 'node:http';
import https from 'node:https';
import { errorText, type Logger } from './logger.ts';
import { pinnedConnection, secureUrl } from './orchestrator-pin.ts';

// Uploads a stage's captured tool output to the orchestrator:
// PUT <artifactUrl>/<name> with the run's token. An artifact is evidence, not
// the verdict: a failed upload is retried a few times, then logged, and never
// changes a stage's outcome.

const NAME_MAX = 128;

/** Makes a safe artifact name: [A-Za-z0-9._-], at most 128 characters. */
export function artifactName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (name.length > NAME_MAX) name = name.slice(0, NAME_MAX);
  return name || 'artifact';
}

export interface ArtifactUploader {
  /** `stage` is recorded with the artifact (X-Vetting-Stage). */
  upload(name: string, body: string | Uint8Array, stage?: string): Promise<boolean>;
}

/** Later attempts of a stage keep their own files: `smart-sda.json` → `smart-sda.attempt2.json`. */
export function attemptArtifactName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.attempt${attempt}${name.slice(dot)}` : `${name}.attempt${attempt}`;
}

/** With `pin`, the upload goes over TLS to that key only: the token is never sent to anyone else. */
export function putOnce(url: string, token: string, body: Uint8Array, timeoutMs: number, stage?: string, pin?: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(pin ? secureUrl(url) : url);
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'PUT',
        ...(pin ? { createConnection: pinnedConnection(pin) as unknown as NonNullable<http.RequestOptions['createConnection']> } : {}),
        headers: {
          Authorization: `Bearer ${token}`,
          ...(stage ? { 'X-Vetting-Stage': stage } : {}),
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(body.byteLength),
        },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`upload timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function createArtifactUploader(opts: {
  baseUrl: () => string | null;
  token: string;
  /** The orchestrator's pinned key (see orchestrator-pin.ts), when the agent has one. */
  pin?: string | null;
  log: Logger;
  retries?: number;
  timeoutMs?: number;
}): ArtifactUploader {
  return {
    async upload(rawName, body, stage) {
      const name = artifactName(rawName);
      const base = opts.baseUrl();
      if (!base) {
        opts.log.warn('no artifact URL yet; artifact dropped', { name });
        return false;
      }
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const url = `${base.replace(/\/+$/, '')}/${name}`;
      const tries = (opts.retries ?? 3) + 1;
      for (let i = 0; i < tries; i++) {
        try {
          const status = await putOnce(url, opts.token, bytes, opts.timeoutMs ?? 60_000, stage, opts.pin);
          if (status >= 200 && status < 300) return true;
          opts.log.warn('artifact upload refused', { name, status });
          // 4xx other than 408/429 will not get better by retrying.
          if (status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
        } catch (err) {
          opts.log.warn('artifact upload failed', { name, err: errorText(err), try: i + 1 });
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** i));
      }
      return false;
    },
  };
}
