import type { Answer } from './http.js';

// The shapes a relay answer comes in (RB §8.6, §10.8): the new-api/one-api error wrapper, the
// passthrough's TaskError, Claude and Midjourney shapes, the web page, plain text, nothing.

export type Envelope = 'openai' | 'passthrough' | 'claude' | 'midjourney' | 'processing' | 'json' | 'html' | 'text' | 'empty';

export interface Parsed {
  envelope: Envelope;
  /** error.type (openai/claude) or type (midjourney). */
  type?: string;
  /** error.code or the passthrough's code, as text. */
  code?: string;
  /** The message with its " (request id: …)" suffix removed. */
  message?: string;
  /** The request id the body names, when any. */
  bodyRequestId?: string;
}

const REQUEST_ID = /\s*\(request id: ([^)\s]+)\)\s*$/;

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function splitId(msg: string | undefined): { message?: string; id?: string } {
  if (msg === undefined) return {};
  const m = REQUEST_ID.exec(msg);
  return m ? { message: msg.slice(0, m.index), id: m[1] } : { message: msg };
}

export function isHtml(a: Pick<Answer, 'headers' | 'body'>): boolean {
  const ct = (a.headers['content-type'] ?? []).join(';').toLowerCase();
  if (ct.includes('text/html')) return true;
  return /^\s*<(!doctype html|html|head|body)\b/i.test(a.body);
}

export function parseEnvelope(a: Pick<Answer, 'headers' | 'body'>): Parsed {
  if (a.body.trim() === '') return { envelope: 'empty' };
  if (isHtml(a)) return { envelope: 'html' };
  let v: unknown;
  try {
    v = JSON.parse(a.body);
  } catch {
    const { message, id } = splitId(a.body.trim().slice(0, 2000));
    return { envelope: 'text', message, bodyRequestId: id };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { envelope: 'json' };
  const o = v as Record<string, unknown>;
  const err = o.error;
  if (err && typeof err === 'object' && !Array.isArray(err)) {
    const e = err as Record<string, unknown>;
    const { message, id } = splitId(text(e.message));
    const out: Parsed = { envelope: o.type === 'error' ? 'claude' : 'openai', type: text(e.type), code: text(e.code), message, bodyRequestId: id };
    return out;
  }
  if (typeof err === 'string') {
    const { message, id } = splitId(err);
    return { envelope: 'openai', message, bodyRequestId: id, code: text(o.code) };
  }
  if (typeof o.code === 'string' && 'message' in o && !('description' in o)) {
    const { message, id } = splitId(text(o.message));
    return { envelope: 'passthrough', code: o.code, message, bodyRequestId: id };
  }
  if ('description' in o && typeof o.code === 'number') {
    const { message, id } = splitId(text(o.description));
    return { envelope: 'midjourney', type: text(o.type), code: String(o.code), message, bodyRequestId: id };
  }
  if (o.status === 'processing' && typeof o.message === 'string') return { envelope: 'processing', message: o.message };
  const { message, id } = splitId(text(o.message));
  return { envelope: 'json', message, bodyRequestId: id, code: text(o.code) };
}

/** Every X-Oneapi-Request-Id value, also when a client merged repeated headers with commas. */
export function headerRequestIds(headers: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const v of headers['x-oneapi-request-id'] ?? []) for (const part of v.split(',')) if (part.trim()) out.push(part.trim());
  return out;
}
