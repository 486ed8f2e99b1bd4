// A seeded relay database, the sandbox upstream and relay nodes, and the built CLI pointed at
// them: what a user of `diagnose --relay-url` has, on loopback.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db, Engine } from '../../src/db/types.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { startRelay, startUpstream, type RelayHandle, type RelayOptions, type UpstreamHandle } from '../../src/sandbox/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';

export const SYNC = 1;
export const RUNWAY = '/runwayml/v1/image_to_video';

export interface LiveScene {
  engine: Engine;
  fresh: FreshDatabase;
  db: Db;
  seed: SeedResult;
  upstream: UpstreamHandle;
  channelKey: string;
  /** The DSN relay-doctor gets (with a password on PostgreSQL, to prove it is never printed). */
  dsn: string;
  dsnPassword?: string;
  relays: RelayHandle[];
  tmp: string;
  token: string;
  relay(opts?: Partial<RelayOptions>): Promise<RelayHandle>;
  /** Channel #8 enabled (1) or disabled (2), in channels and abilities, as the admin UI would. */
  setChannel8(status: number): Promise<void>;
  cli(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  /** The usual diagnose arguments for the seed's failing request. */
  diagnoseArgs(nodes: RelayHandle[], extra?: string[]): string[];
  secrets(): string[];
  close(): Promise<void>;
}

export async function liveScene(engine: Engine): Promise<LiveScene> {
  const fresh = await freshDatabase(engine);
  const upstream = await startUpstream();
  const seed = await seedIncident(fresh.db, { upstreamBaseUrl: upstream.url });
  const q = fresh.db.dialect.q;
  const [row] = await fresh.db.query<{ k: string }>(`SELECT ${q('key')} AS k FROM channels WHERE id = ?`, [seed.channelId]);
  const channelKey = String(row!.k);
  upstream.setMode('ok', { key: channelKey });
  let dsn = fresh.dsn;
  let dsnPassword: string | undefined;
  if (engine === 'postgres') {
    // Trust authentication ignores it; relay-doctor must still never print it.
    dsnPassword = 'pw-Live-9f3c1e';
    const u = new URL(dsn);
    u.password = dsnPassword;
    dsn = u.toString();
  }
  const relays: RelayHandle[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rd_live_'));
  const s: LiveScene = {
    engine,
    fresh,
    db: fresh.db,
    seed,
    upstream,
    channelKey,
    dsn,
    dsnPassword,
    relays,
    tmp,
    token: `sk-${seed.tokenKey}`,
    async relay(opts = {}) {
      const r = await startRelay({
        db: fresh.target,
        env: { SYNC_FREQUENCY: String(SYNC), MEMORY_CACHE_ENABLED: 'true' },
        headerTimeoutMs: 1500,
        getRetryDelayMs: 50,
        restartDelayMs: 200,
        ...opts,
      });
      relays.push(r);
      return r;
    },
    async setChannel8(status) {
      const b = fresh.db.dialect.bool(status === 1);
      await fresh.db.query('UPDATE channels SET status = ? WHERE id = ?', [status, seed.channelId]);
      await fresh.db.query(`UPDATE abilities SET enabled = ${b} WHERE channel_id = ?`, [seed.channelId]);
    },
    cli: (args, opts = {}) => runCli(args, { timeoutMs: opts.timeoutMs ?? 60_000, env: opts.env }),
    diagnoseArgs(nodes, extra = []) {
      return [
        'diagnose', '--json', '--dsn', dsn,
        '--env', 'MEMORY_CACHE_ENABLED=true', '--env', `SYNC_FREQUENCY=${SYNC}`,
        ...nodes.flatMap((n) => ['--relay-url', n.url]),
        '--token', `sk-${seed.tokenKey}`, '--path', RUNWAY,
        // No direct upstream probe (the upstream stage's own): the upstream's call counter then
        // counts only what reached it through the relay.
        '--offline',
        ...extra,
      ];
    },
    secrets() {
      return [seed.tokenKey, channelKey, ...(dsnPassword ? [dsnPassword] : [])];
    },
    async close() {
      for (const r of relays) await r.stop().catch(() => undefined);
      await upstream.close().catch(() => undefined);
      await fresh.drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  return s;
}

export interface Seen {
  status: number;
  bodyFile: string;
  headersFile: string;
  body: string;
}

/** Send the user's request once (as the front end did) and keep what came back, curl -i style. */
export async function userRequest(s: LiveScene, node: RelayHandle, name = 'seen'): Promise<Seen> {
  const res = await fetch(node.url + RUNWAY, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gen4_turbo', promptImage: 'https://example.com/cat.png', promptText: 'a cat' }),
  });
  const body = await res.text();
  const headersFile = path.join(s.tmp, `${name}.headers.txt`);
  const bodyFile = path.join(s.tmp, `${name}.body.json`);
  fs.writeFileSync(headersFile, `HTTP/1.1 ${res.status} ${res.statusText}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
  fs.writeFileSync(bodyFile, body);
  return { status: res.status, bodyFile, headersFile, body };
}

export function findings(doc: any, code: string): any[] {
  return (doc.findings as any[]).filter((f) => f.code === code);
}
