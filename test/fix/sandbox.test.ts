import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertChannel, insertToken, insertUser } from '../../src/sample/rows.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { startRelay, startUpstream, tokenHashKey, type RelayHandle, type UpstreamHandle } from '../../src/sandbox/index.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { freshRedis, redisAvailable, redisSkipReason, type FreshRedis } from '../support/redis.js';
import { dumpTable, makeF15, q, tempDir } from './helpers.js';

// The "done when": the seed incident's token-group repair, run through relay-doctor, is
// applied atomically, takes effect on the (sandbox) relay at once, and is undone exactly.

const SECRET = 'sandbox-crypto-secret-for-fix-tests';
const PATH = '/runwayml/v1/image_to_video';

async function probe(relay: RelayHandle, rawKey: string): Promise<{ status: number; message: string }> {
  const res = await fetch(relay.url + PATH, { method: 'POST', headers: { Authorization: `Bearer sk-${rawKey}`, 'Content-Type': 'application/json' }, body: '{}' });
  const text = await res.text();
  let message = '';
  try {
    message = JSON.parse(text)?.error?.message ?? '';
  } catch {
    /* the upstream's answer */
  }
  return { status: res.status, message };
}

if (!redisAvailable() || !builtCliExists()) {
  describe('fix commands against the sandbox relay', () => it.skip(`skipped: ${redisSkipReason() || 'the CLI is not built'}`, () => undefined));
} else {
  describeEngines('fix commands against the sandbox relay', (engine) => {
    let fresh: FreshDatabase;
    let seed: SeedResult;
    let upstream: UpstreamHandle;
    let redis: FreshRedis;
    const relays: RelayHandle[] = [];
    const cwd = tempDir('rd-fix-sandbox-');

    beforeAll(async () => {
      fresh = await freshDatabase(engine);
      upstream = await startUpstream();
      seed = await seedIncident(fresh.db, { upstreamBaseUrl: upstream.url });
      const [row] = await fresh.db.query(`SELECT ${q(fresh.db, 'key')} AS k FROM channels WHERE id = ?`, [seed.channelId]);
      upstream.setMode('ok', { key: String(row!.k) });
      await makeF15(fresh.db, seed);
      redis = await freshRedis();
    }, 120_000);
    afterAll(async () => {
      for (const r of relays) await r.stop().catch(() => undefined);
      await upstream?.close();
      await redis?.release();
      await fresh?.drop();
      cwd.cleanup();
    });

    it('fix-groups with Redis: live at the next request, and undone exactly; without Redis the relay stays stale', async () => {
      // A BF node with Redis and a long sync window; read-only so that only relay-doctor writes.
      const relay = await startRelay({ db: fresh.target, product: 'bltcy', redisUrl: redis.url, env: { SYNC_FREQUENCY: '300', CRYPTO_SECRET: SECRET }, readOnly: true });
      relays.push(relay);
      const dsn = fresh.dsn;
      const broken = await probe(relay, seed.tokenKey);
      expect(broken.status).toBe(503);
      expect(broken.message).toMatch(/分组 vip 下模型 runway 无可用渠道/);
      expect(await redis.client.exists(tokenHashKey(SECRET, seed.tokenKey), `user:${seed.userId}`)).toBe(2);
      const tokensBefore = await dumpTable(fresh.db, 'tokens');
      const usersBefore = await dumpTable(fresh.db, 'users');

      // What the operator did (F15, F34): fix the rows, but nothing tells the relay.
      const blind = await runCli(['fix-groups', '--dsn', dsn, '--env', 'SYNC_FREQUENCY=300', '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(blind.code, blind.stderr).toBe(0);
      expect(blind.json().cacheInvalidated).toEqual([]);
      expect(blind.json().notes.join(' ')).toMatch(/up to SYNC_FREQUENCY \(300 s\) on each node/);
      expect((await probe(relay, seed.tokenKey)).status).toBe(503);
      const back = await runCli(['fix-groups', '--dsn', dsn, '--undo', blind.json().backup, '--yes', '--json'], { cwd: cwd.dir });
      expect(back.code, back.stderr).toBe(0);
      expect(await dumpTable(fresh.db, 'tokens')).toEqual(tokensBefore);

      // Through relay-doctor with the relay's Redis and secret: it works at the next request.
      const calls = upstream.calls.count;
      const env = ['--redis', redis.url, '--env', `CRYPTO_SECRET=${SECRET}`, '--env', 'SYNC_FREQUENCY=300'];
      const fixed = await runCli(['fix-groups', '--dsn', dsn, ...env, '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(fixed.code, fixed.stderr).toBe(0);
      const doc = fixed.json();
      expect(doc.applied).toBe(doc.plan.length);
      expect(doc.cacheInvalidated).toContain(tokenHashKey(SECRET, seed.tokenKey));
      expect(fixed.stdout).not.toContain(seed.tokenKey);
      const live = await probe(relay, seed.tokenKey);
      expect(live.status).toBe(200);
      expect(upstream.calls.count).toBe(calls + 1);

      // Undo: back to the incident, at once, and byte for byte.
      const undo = await runCli(['fix-groups', '--dsn', dsn, ...env, '--undo', doc.backup, '--yes', '--json'], { cwd: cwd.dir });
      expect(undo.code, undo.stderr).toBe(0);
      expect(undo.json().cacheInvalidated).toContain(tokenHashKey(SECRET, seed.tokenKey));
      expect((await probe(relay, seed.tokenKey)).status).toBe(503);
      expect(await dumpTable(fresh.db, 'tokens')).toEqual(tokensBefore);
      expect(await dumpTable(fresh.db, 'users')).toEqual(usersBefore);
    });

    it("fix-abilities through the node's POST /api/channel/fix: abilities rebuilt and that node routes at once", async () => {
      const relay = await startRelay({ db: fresh.target, product: 'bltcy', env: { SYNC_FREQUENCY: '300', MEMORY_CACHE_ENABLED: 'true' } });
      relays.push(relay);
      // After the node built its cache: a channel added by hand-written SQL, no abilities rows (F22).
      await insertChannel(fresh.db, { id: 12, type: 55, name: 'premium by SQL', models: 'runway', group: 'premium', baseUrl: upstream.url, key: String((await fresh.db.query(`SELECT ${q(fresh.db, 'key')} AS k FROM channels WHERE id = 8`))[0]!.k) }, { abilities: false });
      const premium = await insertUser(fresh.db, { username: 'premium-user', group: 'premium' });
      const tk = await insertToken(fresh.db, { userId: premium, group: '' });
      expect((await probe(relay, tk.key)).status).toBe(503);
      const admin = seed.userIds[0]!;
      const accessToken = 'A'.repeat(16) + 'dminAccessTok32';
      await fresh.db.query('UPDATE users SET access_token = ? WHERE id = ?', [accessToken, admin]);
      const abilitiesBefore = await dumpTable(fresh.db, 'abilities');

      const dry = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--json'], { cwd: cwd.dir });
      expect(dry.json().panicGroups).toEqual([{ channelId: 12, group: 'premium' }]);
      const r = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--relay-url', relay.url, '--admin-token', accessToken, '--admin-user', String(admin), '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(r.code, r.stderr).toBe(0);
      const doc = r.json();
      expect(doc.relay).toMatchObject({ url: relay.url, used: true });
      expect(doc.applied).toBe(dry.json().plan.length);
      expect(r.stdout + r.stderr).not.toContain(accessToken);
      expect((await probe(relay, tk.key)).status).toBe(200);
      expect((await runCli(['fix-abilities', '--dsn', fresh.dsn, '--json'], { cwd: cwd.dir })).json().plan).toEqual([]);

      const undo = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--undo', doc.backup, '--yes', '--json'], { cwd: cwd.dir });
      expect(undo.code, undo.stderr).toBe(0);
      expect(await dumpTable(fresh.db, 'abilities')).toEqual(abilitiesBefore);
    });
  });
}
