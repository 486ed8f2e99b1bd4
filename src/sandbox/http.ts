// Small HTTP and Go-format helpers shared by the sandbox relay and upstream.

import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const KEY_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += KEY_CHARS[randomInt(KEY_CHARS.length)];
  return s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go `20060102150405` in local time. */
export function compactTime(d = new Date()): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** Go `2006/01/02 - 15:04:05` in local time: the relays' console time. */
export function consoleTime(d = new Date()): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} - ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** BF / NA-0.9.x request id: local time, nanoseconds % 1e9 unpadded, 8 random characters (RB §1.3). */
export function requestId(prefix = ''): string {
  const ns = Number((process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n) % 1_000_000_000n);
  return `${prefix}${compactTime()}${ns}${randomString(8)}`;
}

/** A latency as Go prints a time.Duration (`657.458µs`, `12.5ms`, `1m0.19s`). */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1) return `${trim((ms * 1000).toFixed(3))}µs`;
  if (ms < 1000) return `${trim(ms.toFixed(6))}ms`;
  const total = ms / 1000;
  if (total < 60) return `${trim(total.toFixed(9))}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m}m${trim(s.toFixed(9))}s`;
}

function trim(v: string): string {
  return v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v;
}

/** Read a request body completely. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendRaw(res: ServerResponse, status: number, contentType: string, body: Buffer | string): void {
  if (res.headersSent || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  if (contentType) res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', buf.length);
  res.writeHead(status);
  res.end(buf);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Credential headers: their values never leave the sandbox in records. */
export const CREDENTIAL_HEADERS = new Set(['authorization', 'x-ptoken', 'x-vtoken', 'x-ctoken', 'cookie', 'x-api-key', 'x-goog-api-key', 'mj-api-secret', 'proxy-authorization']);

export function redactHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (CREDENTIAL_HEADERS.has(k)) {
      const hide = (s: string) => (k === 'authorization' && /^bearer /i.test(s) ? `${s.slice(0, 7)}***` : '***');
      out[k] = Array.isArray(v) ? v.map(hide) : hide(v);
    } else out[k] = v;
  }
  return out;
}
