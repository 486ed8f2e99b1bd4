// A seeded relay database plus the sandbox's upstream and relay, for the sandbox tests.

import type { Db, Engine } from '../../src/db/types.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { startRelay, startUpstream, type RelayHandle, type RelayOptions, type UpstreamHandle } from '../../src/sandbox/index.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';

export interface Scene {
  fresh: FreshDatabase;
  db: Db;
  seed: SeedResult;
  upstream: UpstreamHandle;
  /** The seed channel's stored key (the upstream accepts only this one). */
  channelKey: string;
  relays: RelayHandle[];
  relay(opts?: Partial<RelayOptions>): Promise<RelayHandle>;
  /** Authorization header for the seed's usable token. */
  auth: string;
  close(): Promise<void>;
}

export async function scene(engine: Engine, variant: 'bf' | 'na-0.9.16' = 'bf'): Promise<Scene> {
  const fresh = await freshDatabase(engine);
  const upstream = await startUpstream();
  const seed = await seedIncident(fresh.db, { upstreamBaseUrl: upstream.url, variant });
  const q = fresh.db.dialect.q;
  const [row] = await fresh.db.query<{ k: string }>(`SELECT ${q('key')} AS k FROM channels WHERE id = ?`, [seed.channelId]);
  const channelKey = String(row!.k);
  upstream.setMode('ok', { key: channelKey });
  const relays: RelayHandle[] = [];
  const s: Scene = {
    fresh,
    db: fresh.db,
    seed,
    upstream,
    channelKey,
    relays,
    auth: `Bearer sk-${seed.tokenKey}`,
    async relay(opts = {}) {
      const r = await startRelay({
        db: fresh.target,
        product: variant === 'bf' ? 'bltcy' : 'new-api',
        env: { SYNC_FREQUENCY: '1' },
        headerTimeoutMs: 1500,
        getRetryDelayMs: 50,
        restartDelayMs: 200,
        ...opts,
      });
      relays.push(r);
      return r;
    },
    async close() {
      for (const r of relays) await r.stop().catch(() => undefined);
      await upstream.close();
      await fresh.drop();
    },
  };
  return s;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP request to the relay (undici fetch, no redirects followed). */
export async function call(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
