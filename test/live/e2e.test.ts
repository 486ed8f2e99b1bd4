// diagnose --relay-url / --recheck-after / --redis / --seen-* / --live through the built CLI,
// against the sandbox relay and upstream on the seed incident's database (SQLite always,
// PostgreSQL and Redis when this machine has them). The probes never reach the upstream.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/types.js';
import { insertChannel } from '../../src/sample/rows.js';
import { tokenHashKey } from '../../src/sandbox/index.js';
import { builtCliExists } from '../support/cli.js';
import { engineInfo } from '../support/engines.js';
import { freshRedis, redisAvailable, redisSkipReason, type FreshRedis } from '../support/redis.js';
import { findings, liveScene, RUNWAY, SYNC, userRequest, type LiveScene } from './scene.js';

const built = builtCliExists();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** token:<hex> in full, or as the output scrubber shortens long alphanumeric runs (first 4 … last 4). */
const keyShown = (key: string) => {
  const hex = key.slice('token:'.length);
  return `token:(?:${hex}|${hex.slice(0, 4)}…${hex.slice(-4)})`;
};

function noSecrets(s: LiveScene, out: { stdout: string; stderr: string }, extra: string[] = []): void {
  for (const secret of [...s.secrets(), ...extra]) {
    expect(out.stdout).not.toContain(secret);
    expect(out.stderr).not.toContain(secret);
  }
}

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const info = engineInfo(engine);
  const title = `diagnose against a live relay [${engine}]`;
  if (!built || !info.available) {
    describe(title, () => it.skip(`skipped: ${!built ? 'run npm run build first' : `${engine} ${info.reason ?? 'not available'}`}`, () => undefined));
    continue;
  }
  describe(title, () => {
    let s: LiveScene;
    beforeAll(async () => {
      s = await liveScene(engine);
    });
    afterEach(async () => {
      for (const r of s.relays.splice(0)) await r.stop();
      await s.setChannel8(1);
      s.upstream.setMode('ok', { key: s.channelKey });
      s.upstream.calls.reset();
    });
    afterAll(async () => s?.close());

    it('database fixed, routing cache frozen stale: CACHE_STALE_CHANNELS primary, exit 1, nothing billed or sent upstream', async () => {
      await s.setChannel8(2);
      const node = await s.relay();
      node.freezeCache(true);
      await s.setChannel8(1); // the operator's fix, not yet seen by the node
      const r = await s.cli(s.diagnoseArgs([node]));
      expect(r.code).toBe(1);
      const doc = r.json();
      expect(doc.verdict.primary.code).toBe('CACHE_STALE_CHANNELS');
      const [f] = findings(doc, 'CACHE_STALE_CHANNELS');
      expect(f.message).toContain(`${node.url} has no channel for runway in group "default"`);
      expect(f.message).toContain('routes runway in group "default" to #8');
      expect(f.evidence.probe).toMatchObject({ status: 503, code: 'model_not_found' });
      expect(doc.notImplemented ?? []).not.toContain('--relay-url');
      expect(findings(doc, 'CACHE_WINDOW_OPEN')).toEqual([]);
      // The zero-cost probe and the route check: no upstream call, no charge.
      expect(s.upstream.calls.count).toBe(0);
      expect(node.requests.upstreamCalls).toBe(0);
      expect(node.requests.billing).toEqual([]);
      expect(node.requests.byRoute['POST /v1/chat/completions']).toBeGreaterThan(0);
      noSecrets(s, r);

      // Without --offline the upstream stage probes the upstream directly (its own GETs); the
      // relay itself still makes no outbound call and charges nothing.
      const direct = await s.cli(s.diagnoseArgs([node]).filter((a) => a !== '--offline'));
      expect(direct.json().verdict.primary.code).toBe('CACHE_STALE_CHANNELS');
      expect(node.requests.upstreamCalls).toBe(0);
      expect(node.requests.billing).toEqual([]);
      expect(s.upstream.calls.last.every((c) => c.method === 'GET')).toBe(true);
    });

    it('--recheck-after: the node heals within the sync window → "stale cache confirmed: healed after N s"', async () => {
      await s.setChannel8(2);
      const node = await s.relay();
      node.freezeCache(true);
      await s.setChannel8(1);
      setTimeout(() => node.freezeCache(false), 800);
      const r = await s.cli(s.diagnoseArgs([node], ['--recheck-after', '3']));
      const doc = r.json();
      const [f] = findings(doc, 'CACHE_STALE_CHANNELS');
      expect(f.message).toMatch(/stale cache confirmed: healed after 3 s/);
      expect(f.evidence.recheck).toMatchObject({ waitedS: 3, healed: true, probe: { kind: 'channel-selected' } });
      expect(r.code).toBe(1);
      expect(s.upstream.calls.count).toBe(0);
    });

    it('--recheck-after: still failing after a full window → "not a cache problem"', async () => {
      await s.setChannel8(2);
      const node = await s.relay();
      node.freezeCache(true);
      await s.setChannel8(1);
      const r = await s.cli(s.diagnoseArgs([node], ['--recheck-after', String(SYNC + 1)]));
      const [f] = findings(r.json(), 'CACHE_STALE_CHANNELS');
      expect(f.message).toMatch(/not a cache problem: still failing after a full sync window \(2 s ≥ SYNC_FREQUENCY 1 s/);
    });

    it('one of two nodes stale: RELAY_NODES_DISAGREE names it', async () => {
      const a = await s.relay();
      const b = await s.relay();
      b.freezeCache(true);
      await s.setChannel8(2);
      await a.nextSync();
      // a follows the database (no channel now); b still routes to #8.
      const r = await s.cli(s.diagnoseArgs([a, b]));
      expect(r.code).toBe(1);
      const doc = r.json();
      const [d] = findings(doc, 'RELAY_NODES_DISAGREE');
      expect(d.subject.stale).toEqual([b.url]);
      expect(d.message).toContain(`Stale: ${b.url}`);
      expect(findings(doc, 'CACHE_STALE_CHANNELS').map((f: any) => f.subject.node)).toEqual([b.url]);
      expect(doc.verdict.ranked).toContain('RELAY_NODES_DISAGREE');
      expect(s.upstream.calls.count).toBe(0);
    });

    it('a route missing on an old deployment: ROUTE_NOT_DEPLOYED (the node answers its web page)', async () => {
      // A BF build from before 2025-10-11 (no /runwayml/*path); a plain new-api node looks the same.
      const old = await s.relay({ omitRoutes: ['/runwayml/*path'] });
      const r = await s.cli(s.diagnoseArgs([old]));
      expect(r.code).toBe(1);
      const doc = r.json();
      expect(doc.verdict.primary.code).toBe('ROUTE_NOT_DEPLOYED');
      const [f] = findings(doc, 'ROUTE_NOT_DEPLOYED');
      expect(f.stage).toBe('route');
      expect(f.message).toContain(`POST ${RUNWAY} with its web page (HTML, 200)`);
      expect(findings(doc, 'RELAY_BUILD_OUTDATED')[0]).toMatchObject({ status: 'warn', message: expect.stringMatching(/without \/runwayml\/\*path \(added to bltcy on 2025-10-11\)/) });
      expect(s.upstream.calls.count).toBe(0);
      const plain = await s.relay({ product: 'new-api' });
      const r2 = await s.cli(s.diagnoseArgs([plain]));
      expect(r2.json().verdict.primary.code).toBe('ROUTE_NOT_DEPLOYED');
    });

    it('the 500 the user saw came from the upstream: UPSTREAM_5XX, never blamed on the stale node', async () => {
      s.upstream.setMode('5xx', { key: s.channelKey });
      await s.setChannel8(2);
      const stale = await s.relay();
      stale.freezeCache(true);
      await s.setChannel8(1);
      const fresh = await s.relay();
      const seen = await userRequest(s, fresh);
      expect(seen.status).toBe(500);
      s.upstream.calls.reset();
      const r = await s.cli(s.diagnoseArgs([fresh, stale], ['--seen-status', '500', '--seen-body', `@${seen.bodyFile}`, '--seen-headers', `@${seen.headersFile}`]));
      expect(r.code).toBe(1);
      const doc = r.json();
      expect(doc.verdict.primary.code).toBe('UPSTREAM_5XX');
      expect(doc.verdict.reason).toMatch(/Not the cause of it: .*CACHE_STALE_CHANNELS/);
      expect(doc.seen).toMatchObject({ source: 'seen', status: 500, origin: 'upstream', code: 'UPSTREAM_5XX' });
      const branches = Object.fromEntries(doc.seen.branches.map((b: any) => [b.id, b.state]));
      expect(branches).toMatchObject({ 'upstream-own': 'proven', routing: 'excluded', 'stale-view-deleted': 'excluded' });
      expect(findings(doc, 'CACHE_STALE_CHANNELS')).toHaveLength(1);
      expect(doc.seen.excluded).toContain('CACHE_STALE_CHANNELS');
      expect(s.upstream.calls.count).toBe(0);
      noSecrets(s, r);

      // The same run as text: the branches and the "not the cause" line are there.
      const text = await s.cli(s.diagnoseArgs([fresh, stale], ['--seen-status', '500', '--seen-body', `@${seen.bodyFile}`, '--seen-headers', `@${seen.headersFile}`]).filter((a) => a !== '--json'));
      expect(text.stdout).toMatch(/The answer the user saw: 500/);
      expect(text.stdout).toMatch(/✔ proven +the upstream's own 500/);
      expect(text.stdout).toMatch(/✖ excluded +no channel for \(group, model\) in the routing view/);
      expect(text.stdout).toMatch(/cannot produce this 500: .*CACHE_STALE_CHANNELS/);
      noSecrets(s, text);
    });

    it('only the status 500: the cache is not blamed, the database excludes what it can', async () => {
      await s.setChannel8(2);
      const node = await s.relay();
      node.freezeCache(true);
      await s.setChannel8(1);
      const r = await s.cli(s.diagnoseArgs([node], ['--seen-status', '500']));
      const doc = r.json();
      expect(r.code).toBe(1);
      expect(findings(doc, 'CACHE_STALE_CHANNELS')).toHaveLength(1);
      expect(doc.verdict.primary?.code).not.toBe('CACHE_STALE_CHANNELS');
      const b = Object.fromEntries(doc.seen.branches.map((x: any) => [x.id, x.state]));
      expect(b).toMatchObject({ 'no-key': 'excluded', 'no-base-url': 'excluded', routing: 'excluded', 'upstream-own': 'possible' });
    });

    it('--live needs --yes without a terminal (exit 2, one line); with --yes it sends the request and classifies it', async () => {
      s.upstream.setMode('5xx', { key: s.channelKey });
      const node = await s.relay();
      const no = await s.cli(s.diagnoseArgs([node], ['--live']));
      expect(no.code).toBe(2);
      expect(no.stdout).toBe('');
      expect(no.stderr.trim().split('\n')).toHaveLength(1);
      expect(no.stderr).toMatch(/--live .*may be billed: add --yes/);
      expect(s.upstream.calls.count).toBe(0);

      const r = await s.cli(s.diagnoseArgs([node], ['--live', '--yes', '--body', '{"model":"gen4_turbo","promptText":"a cat"}']));
      const doc = r.json();
      expect(s.upstream.calls.count).toBeGreaterThan(0);
      expect(doc.liveAnswer).toMatchObject({ source: 'live', status: 500, origin: 'upstream', code: 'UPSTREAM_5XX' });
      expect(doc.verdict.primary.code).toBe('UPSTREAM_5XX');
      noSecrets(s, r);
    });

    it('bad flag values are usage errors', async () => {
      const node = await s.relay();
      for (const [args, re] of [
        [['--recheck-after', 'soon'], /--recheck-after expects seconds/],
        [['--seen-status', '5000'], /--seen-status expects an HTTP status/],
        [['--seen-body', '@/nonexistent/file.json'], /--seen-body: cannot read/],
      ] as const) {
        const r = await s.cli(s.diagnoseArgs([node], [...args]));
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(re);
      }
      const sweep = await s.cli(['diagnose', '--dsn', s.dsn, '--seen-status', '500']);
      expect(sweep.code).toBe(2);
      expect(sweep.stderr).toMatch(/add --path/);
      const r = await s.cli(['diagnose', '--dsn', s.dsn, '--path', RUNWAY, '--recheck-after', '5']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--recheck-after re-probes a running relay: add --relay-url/);
    });

    it('a node that restarts during the run: RELAY_CRASH_LOOP from /api/status start_time', async () => {
      await s.setChannel8(2);
      const node = await s.relay();
      node.freezeCache(true);
      await s.setChannel8(1);
      const startTime = node.startTime;
      // Once the probe has reached the node, a hand-written channel in a group without abilities
      // rows makes its next periodic rebuild panic (F23): the process dies and restarts.
      let bad = 0;
      const probes = () => node.requests.byRoute['POST /v1/chat/completions'] ?? 0;
      const watch = setInterval(() => {
        if (probes() > 0 && !bad) {
          bad = -1;
          void insertChannel(s.db, { type: 1, models: 'gpt-4o-mini', group: 'default,newgroup', baseUrl: s.upstream.url }, { abilities: false }).then((id) => {
            bad = id;
            node.freezeCache(false);
          });
        }
      }, 20);
      try {
        const r = await s.cli(s.diagnoseArgs([node], ['--recheck-after', '3']));
        const [f] = findings(r.json(), 'RELAY_CRASH_LOOP');
        expect(f.message).toMatch(new RegExp(`restarted while relay-doctor was probing it: /api/status start_time moved from ${startTime} to \\d+`));
        expect(node.restarts).toBeGreaterThanOrEqual(1);
      } finally {
        clearInterval(watch);
        if (bad > 0) {
          await s.db.query('DELETE FROM abilities WHERE channel_id = ?', [bad]);
          await s.db.query('DELETE FROM channels WHERE id = ?', [bad]);
        }
      }
    });

    it('an unreachable node: RELAY_UNREACHABLE', async () => {
      const node = await s.relay();
      const url = node.url;
      await node.stop();
      s.relays.splice(0);
      const r = await s.cli(s.diagnoseArgs([{ url } as any]));
      const doc = r.json();
      expect(r.code).toBe(1);
      expect(findings(doc, 'RELAY_UNREACHABLE')[0].message).toMatch(/cannot be reached: connection refused/);
      expect(findings(doc, 'CACHE_WINDOW_OPEN')).toHaveLength(1);
    });

    describe('Redis', () => {
      if (!redisAvailable()) {
        it.skip(`skipped: Redis ${redisSkipReason()}`, () => undefined);
        return;
      }
      let redis: FreshRedis;
      const SECRET = 'crypto-Secret-7f21ab';
      beforeAll(async () => {
        redis = await freshRedis();
      });
      afterAll(async () => redis?.release());
      afterEach(async () => {
        await s.db.query(`UPDATE tokens SET ${s.db.dialect.q('group')} = 'default' WHERE id = ?`, [s.seed.tokenId]);
        await redis.client.flushdb();
      });

      /** The seed incident's repair (F15, F34): the token group '' → 'default' by SQL, after the relay cached it. */
      async function repairedAfterCaching(env: Record<string, string>) {
        await s.db.query(`UPDATE tokens SET ${s.db.dialect.q('group')} = '' WHERE id = ?`, [s.seed.tokenId]);
        const node = await s.relay({ env: { SYNC_FREQUENCY: '60', ...env }, redisUrl: redis.url });
        const probe = await fetch(`${node.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: '{"model":"runway"}' });
        expect(probe.status).toBe(500);
        for (let i = 0; i < 20 && (await redis.client.dbsize()) === 0; i++) await sleep(50);
        await s.db.query(`UPDATE tokens SET ${s.db.dialect.q('group')} = 'default' WHERE id = ?`, [s.seed.tokenId]);
        return node;
      }

      it('the token hash still has the old group: CACHE_STALE_TOKEN names the field, the key and its TTL', async () => {
        await repairedAfterCaching({ CRYPTO_SECRET: SECRET });
        const key = tokenHashKey(SECRET, s.seed.tokenKey);
        const r = await s.cli(['diagnose', '--json', '--dsn', s.dsn, '--redis', redis.url, '--env', `CRYPTO_SECRET=${SECRET}`, '--env', 'SYNC_FREQUENCY=60', '--token', s.token, '--path', RUNWAY]);
        expect(r.code).toBe(1);
        const doc = r.json();
        expect(doc.verdict.primary.code).toBe('CACHE_STALE_TOKEN');
        const [f] = findings(doc, 'CACHE_STALE_TOKEN');
        // The key is named by its HMAC hex. (The report scrubber may shorten a 64-character run
        // to its ends; see keyShown.)
        expect(f.message).toMatch(new RegExp(`Redis hash ${keyShown(key)} \\(TTL \\d+ s\\)`));
        expect(f.message).toContain('Group "" (Redis) vs "default" (row)');
        expect(f.evidence.key).toMatch(new RegExp(`^${keyShown(key)}$`));
        expect(f.evidence).toMatchObject({ fields: [{ field: 'Group', redis: '', row: 'default' }], lookup: 'HMAC of the key with CRYPTO_SECRET' });
        expect(f.evidence.ttl).toBeGreaterThan(0);
        expect(f.evidence.ttl).toBeLessThanOrEqual(60);
        expect(f.remedy.commands[0]).toMatch(new RegExp(`^redis-cli -n ${redis.index} DEL ${keyShown(key)}$`));
        noSecrets(s, r, [SECRET]);
        // Read-only: the hash is still there, unchanged.
        expect(await redis.client.hget(key, 'Group')).toBe('');
      });

      it('without the secret, the hash is found by SCAN on its Id', async () => {
        await repairedAfterCaching({ CRYPTO_SECRET: SECRET });
        const r = await s.cli(['diagnose', '--json', '--dsn', s.dsn, '--redis', redis.url, '--env', 'SYNC_FREQUENCY=60', '--token', s.token, '--path', RUNWAY]);
        const [f] = findings(r.json(), 'CACHE_STALE_TOKEN');
        expect(f.evidence.lookup).toMatch(/found by SCAN on its Id field/);
        expect(f.subject.key).toMatch(new RegExp(`^${keyShown(tokenHashKey(SECRET, s.seed.tokenKey))}$`));
        noSecrets(s, r, [SECRET]);
      });
    });
  });
}
