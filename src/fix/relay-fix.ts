import type { Secret } from '../context/secret.js';

// The relay's own abilities rebuild: POST /api/channel/fix (new-api and BF, RB §4.1, §11.2).
// It empties abilities, re-adds every channel's rows and rebuilds that node's routing cache.

export interface RelayFixAnswer {
  ok: boolean;
  status: number;
  /** data.success / data.fails: channels rebuilt and channels whose rows failed. */
  success?: number;
  fails?: number;
  message?: string;
}

export async function relayFixAbilities(baseUrl: string, token: Secret, userId: string | undefined, timeoutMs = 120_000): Promise<RelayFixAnswer> {
  const headers: Record<string, string> = { Authorization: token.reveal(), Accept: 'application/json' };
  // Required from 2024-07 until NA-main's 2026-07 auth refactor; harmless elsewhere.
  if (userId !== undefined) headers['New-Api-User'] = userId;
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/channel/fix`, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, status: 0, message: `cannot reach ${baseUrl}: ${cause ?? (err as Error).name ?? 'error'}` };
  }
  const text = await res.text().catch(() => '');
  let body: { success?: boolean; message?: string; data?: { success?: number; fails?: number } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object') {
    const kind = /^\s*</.test(text) ? 'an HTML page' : text ? 'a non-JSON body' : 'an empty body';
    return { ok: false, status: res.status, message: `${baseUrl}/api/channel/fix answered ${res.status} with ${kind}${res.status === 404 || kind === 'an HTML page' ? ' (one-api and old builds have no such endpoint)' : ''}` };
  }
  const message = typeof body.message === 'string' ? (token.isEmpty() ? body.message : body.message.split(token.reveal()).join('***')) : undefined;
  if (res.status !== 200 || body.success !== true) {
    return { ok: false, status: res.status, message: `the relay refused POST /api/channel/fix (${res.status}): ${message || 'no message'}` };
  }
  return { ok: true, status: res.status, success: body.data?.success, fails: body.data?.fails, message };
}
