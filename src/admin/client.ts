import { Secret } from '../context/secret.js';
import { UsageError } from '../types.js';
import type { RunContext } from '../context/types.js';

// The relay's management API (RB §11.2): Authorization: <users.access_token>, and from 2024-07
// until NA-main's 2026-07 auth rewrite also New-Api-User: <id> matching the token's owner.

export interface AdminAuth {
  token: Secret;
  userId?: string;
}

export function adminAuth(ctx: RunContext): AdminAuth | undefined {
  const token = ctx.flags.adminToken;
  if (typeof token !== 'string' || !token) return undefined;
  const user = ctx.flags.adminUser;
  if (user !== undefined && !/^\d+$/.test(String(user))) throw new UsageError('--admin-user expects the numeric id of the access token owner');
  return { token: new Secret(token), userId: user === undefined ? undefined : String(user) };
}

export interface AdminAnswer<T> {
  ok: boolean;
  status?: number;
  data?: T;
  message?: string;
}

export async function adminGet<T>(base: string, path: string, auth: AdminAuth, timeoutMs = 10_000): Promise<AdminAnswer<T>> {
  const headers: Record<string, string> = { Authorization: auth.token.reveal(), Accept: 'application/json' };
  if (auth.userId) headers['New-Api-User'] = auth.userId;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, message: `cannot reach ${base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}` };
  }
  const text = await res.text();
  let body: { success?: boolean; message?: string; data?: T } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, status: res.status, message: `answered ${res.status} with a non-JSON body` };
  }
  // Before 2026-07 failures answer HTTP 200 with success:false.
  if (!res.ok || body?.success === false) return { ok: false, status: res.status, message: body?.message || `HTTP ${res.status}` };
  return { ok: true, status: res.status, data: body?.data };
}
