import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext } from '../../src/context/build.js';
import { builtCliExists, runCli } from '../support/cli.js';

// diagnose's output flags end to end, on the sample relay database (the seed incident: routing
// passes, ModelPrice lacks runway → one warning), with the upstream probe off.

describe.skipIf(!builtCliExists())('diagnose output flags', () => {
  let dir: string;
  let db: string;
  const base = () => ['diagnose', '--dsn', db, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--offline'];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-cli-'));
    db = path.join(dir, 'relay.db');
    const r = await runCli(['sample-db', '--out', db]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses bad values with one line and exit 2', async () => {
    for (const [args, msg] of [
      [['--format', 'yaml'], /--format must be one of text, json, junit, github, markdown, prometheus, got "yaml"/],
      [['--json', '--format', 'junit'], /--json and --format junit disagree/],
      [['--fail-on', 'info'], /--fail-on must be fail or warn/],
      [['--only', 'tokens'], /--only: unknown stage "tokens"/],
      [['--skip', 'NOPE'], /--skip: unknown finding code "NOPE"/],
      [['--timeout', '0'], /--timeout expects a positive number of seconds/],
      [['--lang', 'fr'], /--lang must be en or zh/],
    ] as [string[], RegExp][]) {
      const r = await runCli([...base(), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('--fail-on warn makes the price warning exit 1; --skip and --only take it back out', async () => {
    const plain = await runCli([...base(), '--json']);
    expect(plain.code).toBe(0);
    const doc = plain.json();
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain('MODEL_PRICE_MISSING');
    expect(doc.notImplemented ?? []).not.toContain('--format');
    expect((await runCli([...base(), '--fail-on', 'warn'])).code).toBe(1);
    expect((await runCli([...base(), '--fail-on', 'warn', '--skip', 'MODEL_PRICE_MISSING'])).code).toBe(0);
    const only = await runCli([...base(), '--fail-on', 'warn', '--only', 'token,distribute', '--format', 'json']);
    expect(only.code).toBe(0);
    const stages = only.json().stages as { id: string; status: string; note?: string }[];
    expect(stages.filter((s) => !['token', 'distribute'].includes(s.id)).map((s) => [s.id, s.status, s.note])).toEqual(
      ['environment', 'route', 'cache', 'channel', 'upstream'].map((id) => [id, 'skip', 'not selected (--only)']),
    );
    expect(stages.find((s) => s.id === 'distribute')!.status).toBe('pass');
  });

  it('--lang zh: Chinese text and messageZh in JSON (message stays English); LANG=zh_CN is the default', async () => {
    const json = (await runCli([...base(), '--format', 'json', '--lang', 'zh'])).json();
    const f = json.findings.find((x: { code: string }) => x.code === 'MODEL_PRICE_MISSING');
    expect(f.message).toMatch(/^ModelPrice has no price for "runway"/);
    expect(f.messageZh).toMatch(/^ModelPrice 中没有 "runway" 的价格/);
    expect(f.remedyZh).toMatch(/ModelPrice/);
    const text = await runCli(base(), { env: { LANG: 'zh_CN.UTF-8' } });
    expect(text.stdout).toMatch(/结论：健康/);
    expect(text.stdout).toMatch(/渠道分发（Distribute）/);
    const en = await runCli(base(), { env: { LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' } });
    expect(en.stdout).toMatch(/verdict: healthy/);
  });

  it('a custom route from the config file routes a request by its prefix', async () => {
    const cfg = path.join(dir, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({ routes: [{ prefix: '/luma', model: 'luma' }] }));
    const r = await runCli(['--config', cfg, 'diagnose', '--dsn', db, '--path', '/luma/v1/generations', '--group', 'default', '--offline', '--json']);
    const doc = r.json();
    expect(doc.target.model).toBe('luma');
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain('NO_CHANNEL_FOR_MODEL');
    expect(doc.findings.map((f: { code: string }) => f.code)).not.toContain('ROUTE_UNKNOWN');
  });

  it('--timeout stops a run stuck on the database: exit 3, one line, and still the JSON document', async () => {
    // A "database" that accepts connections and never answers.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await runCli(['diagnose', '--dsn', `postgres://relay:pw@127.0.0.1:${port}/relay`, '--timeout', '1', '--json'], { timeoutMs: 30_000 });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toEqual(['relay-doctor: the run did not finish within --timeout 1 s and was stopped: the report is incomplete']);
      const doc = r.json();
      expect(doc.verdict.primary.code).toBe('RUN_TIMEOUT');
      expect(doc.stages[0]).toMatchObject({ id: 'environment', status: 'fail' });
      expect(doc.stages.slice(1).every((s: { status: string }) => s.status === 'skip')).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('no colour when CI is set or stdout is not a terminal', () => {
    const common = { dsn: 'sqlite:///tmp/none.db' };
    expect(buildContext({ common, stdoutIsTty: true, processEnv: {} }).output.color).toBe(true);
    expect(buildContext({ common, stdoutIsTty: true, processEnv: { CI: 'true' } }).output.color).toBe(false);
    expect(buildContext({ common, stdoutIsTty: true, processEnv: { CI: 'false' } }).output.color).toBe(true);
    expect(buildContext({ common, stdoutIsTty: false, processEnv: {} }).output.color).toBe(false);
    expect(buildContext({ common, stdoutIsTty: true, processEnv: { NO_COLOR: '1' } }).output.color).toBe(false);
  });
});
