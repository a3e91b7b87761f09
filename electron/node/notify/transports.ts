import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { LiveEvent } from '../../../common/schema/api.ts';
import type { NotificationChannel } from './channels.ts';
import type { NotificationPayload } from './events.ts';

// One sender per channel type. Each returns normally on success and throws an
// Error with a short, human-readable message on failure; the notifier turns
// that into a retry and a visible status, never into an error for its caller.

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; statusText?: string }>;

export interface SendContext {
  deliveryId: number;
  publish: (event: LiveEvent) => void;
  fetchImpl: FetchLike;
  timeoutMs: number;
}

export const SIGNATURE_HEADER = 'X-Vetting-Signature';

/** `sha256=<hex>` HMAC-SHA256 of the exact body bytes, as sent in X-Vetting-Signature. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON body of a generic webhook delivery. */
export function webhookBody(p: NotificationPayload, deliveryId: number): string {
  return JSON.stringify({ id: deliveryId, event: p.event, title: p.title, body: p.body, runId: p.runId, host: p.host, data: p.data, createdAt: p.createdAt });
}

async function post(ctx: SendContext, url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res;
  try {
    res = await ctx.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vetting-notifier', ...headers },
      body,
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    throw new Error(`POST ${new URL(url).origin} failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
  }
  if (!res.ok) throw new Error(`POST ${new URL(url).origin} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
}

export async function sendToChannel(channel: NotificationChannel, p: NotificationPayload, ctx: SendContext): Promise<void> {
  switch (channel.type) {
    case 'desktop':
      // The Electron shell turns this live event into a native notification;
      // the headless UI shows it as a toast.
      ctx.publish({ type: 'notification', event: p.event, title: p.title, body: p.body, runId: p.runId });
      return;
    case 'webhook': {
      const body = webhookBody(p, ctx.deliveryId);
      const headers: Record<string, string> = { 'x-vetting-event': p.event, 'x-vetting-delivery': String(ctx.deliveryId) };
      if (channel.secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(channel.secret, body);
      await post(ctx, channel.url, body, headers);
      return;
    }
    case 'slack':
      await post(ctx, channel.url, JSON.stringify({ text: `*${p.title}*\n${p.body}` }), {});
      return;
    case 'email': {
      const s = channel.smtp;
      const transport = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.secure,
        requireTLS: s.requireTLS,
        auth: s.user ? { user: s.user, pass: s.pass ?? '' } : undefined,
        connectionTimeout: ctx.timeoutMs,
        greetingTimeout: ctx.timeoutMs,
        socketTimeout: ctx.timeoutMs,
      });
      try {
        await transport.sendMail({
          from: s.from,
          to: s.to,
          subject: p.title,
          text: `${p.body}\n\n${p.host ? `Host: ${p.host}\n` : ''}${p.runId ? `Run: #${p.runId}\n` : ''}Event: ${p.event}\nAt: ${p.createdAt}\n`,
          headers: { 'X-Vetting-Event': p.event, 'X-Vetting-Delivery': String(ctx.deliveryId) },
        });
      } catch (e) {
        throw new Error(`SMTP ${s.host}:${s.port}: ${(e as Error).message}`);
      } finally {
        transport.close();
      }
      return;
    }
  }
}
