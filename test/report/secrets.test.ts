import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/render.js';
import { insertChannel, insertToken } from '../../src/sample/rows.js';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';

// Known secrets planted in a real relay database and its settings, run through diagnose in every
// format and language: none of them may appear in stdout or stderr. The upstream (a loopback
// server) even echoes the channel key back in its error body.

const rnd = (n: number) => randomBytes(n).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);

const SECRETS = {
  tokenKey: rnd(48),
  channelKey: `sk-${rnd(40)}`,
  multiKeyLine: `sk-${rnd(40)}`,
  dsnPassword: `DsnPw${rnd(20)}`,
  logDsnPassword: `LogPw${rnd(20)}`,
  cryptoSecret: `Crypto${rnd(24)}`,
  sessionSecret: `Session${rnd(24)}`,
  redisPassword: `RedisPw${rnd(20)}`,
  redisUrlPassword: `RedisUrlPw${rnd(20)}`,
  unlistedSecret: `Unlisted${rnd(24)}`,
};

/** A secret leaks when it appears whole, or any 12-character piece of it does. */
function leaks(text: string): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(SECRETS)) {
    const core = s.replace(/^sk-/, '');
    for (let i = 0; i + 12 <= core.length; i++) {
      if (text.includes(core.slice(i, i + 12))) {
        out.push(`${name} (at ${i})`);
        break;
      }
    }
  }
  return out;
}

describe.skipIf(!builtCliExists())('no secret in any output format', () => {
  let fresh: FreshDatabase;
  let server: http.Server;
  let dir: string;
  let tokenId: number;
  const common: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // A hostile upstream: it answers 500 and echoes the credentials it was sent.
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `upstream failed for ${req.headers.authorization ?? ''}`, key: req.headers.authorization } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;

    fresh = await freshDatabase('sqlite');
    const seed = await seedIncident(fresh.db, { upstreamBaseUrl: `http://127.0.0.1:${port}` });
    await fresh.db.query(`UPDATE channels SET ${fresh.db.dialect.q('key')} = ? WHERE id = ?`, [SECRETS.channelKey, seed.channelId]);
    await insertChannel(fresh.db, { type: 55, name: 'multi', models: 'pika', group: 'default', baseUrl: `http://127.0.0.1:${port}`, key: `${SECRETS.multiKeyLine}\n${SECRETS.channelKey}` });
    tokenId = (await insertToken(fresh.db, { userId: seed.userId, key: SECRETS.tokenKey, group: 'default', name: 'planted' })).id;

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-secrets-'));
    fs.writeFileSync(
      path.join(dir, '.env'),
      [
        `SQL_DSN=postgres://relay:${SECRETS.dsnPassword}@127.0.0.1:1/newapi?sslmode=disable`,
        `LOG_SQL_DSN=logs:${SECRETS.logDsnPassword}@tcp(127.0.0.1:1)/logs`,
        `CRYPTO_SECRET=${SECRETS.cryptoSecret}`,
        `SESSION_SECRET=${SECRETS.sessionSecret}`,
        `REDIS_PASSWORD=${SECRETS.redisPassword}`,
        'MEMORY_CACHE_ENABLED=true',
        'SYNC_FREQUENCY=30',
        `OPENAI_API_KEY=${SECRETS.unlistedSecret}`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'relay.log'),
      [
        `[ERROR Bltcy] DoResponse failed: Authorization: Bearer sk-${SECRETS.tokenKey}`,
        `[SYS] connecting to postgres://relay:${SECRETS.dsnPassword}@db:5432/newapi`,
        `relay error (channel #8, status code: 500): key ${SECRETS.channelKey}`,
        '',
      ].join('\n'),
    );
    common.push('--dsn', fresh.dsn, '--env-file', path.join(dir, '.env'), '--env', `REDIS_CONN_STRING=redis://:${SECRETS.redisUrlPassword}@127.0.0.1:1/0`, '--log-file', path.join(dir, 'relay.log'), '--verbose');
  }, 60_000);

  afterAll(async () => {
    await fresh?.drop();
    await new Promise((r) => server?.close(r));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const format of FORMATS) {
    for (const lang of ['en', 'zh']) {
      it(`${format}, ${lang}: the request with the planted token key, and the whole-relay sweep`, async () => {
        const request = await runCli(['diagnose', ...common, '--path', '/runwayml/v1/image_to_video', '--token', `sk-${SECRETS.tokenKey}`, '--format', format, '--lang', lang], { timeoutMs: 90_000 });
        expect(request.code, request.stderr).toBe(1); // the upstream answers 500
        expect(leaks(request.stdout + request.stderr)).toEqual([]);
        const byId = await runCli(['diagnose', ...common, '--path', '/pika/v1/generate', '--token-id', String(tokenId), '--format', format, '--lang', lang], { timeoutMs: 90_000 });
        expect(leaks(byId.stdout + byId.stderr)).toEqual([]);
        const sweep = await runCli(['diagnose', ...common, '--format', format, '--lang', lang], { timeoutMs: 90_000 });
        expect([0, 1]).toContain(sweep.code);
        expect(leaks(sweep.stdout + sweep.stderr)).toEqual([]);
        if (format === 'markdown') {
          // The bundle lists the settings that matter, secrets only as set/unset.
          expect(request.stdout).toMatch(/\| SQL_DSN \| set \(postgres\) \|/);
          expect(request.stdout).toMatch(/\| CRYPTO_SECRET \| set \|/);
          expect(request.stdout).toMatch(/\| REDIS_CONN_STRING \| set \|/);
          expect(request.stdout).toMatch(/\| SYNC_FREQUENCY \| 30 \|/);
          expect(request.stdout).not.toContain('OPENAI_API_KEY');
        }
      }, 120_000);
    }
  }
});
