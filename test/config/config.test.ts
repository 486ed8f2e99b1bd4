import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE, configProblems, configSchema, loadConfig, parseConfig } from '../../src/config/load.js';
import { SchemaSubsetError, validate } from '../../src/config/validate.js';
import { buildContext } from '../../src/context/build.js';
import { UsageError } from '../../src/types.js';
import { runCli } from '../support/cli.js';

// The schema shipped in the package is what the CLI validates with; this table says by hand which
// configs are good and, for bad ones, which key the one-line error must name.
const GOOD: unknown[] = [
  {},
  { $schema: './node_modules/relay-doctor/schema/relay-doctor.config.schema.json' },
  { profile: 'bltcy' },
  { profile: 'one-api', relayUrls: ['http://127.0.0.1:3000', 'https://relay.example.com/'] },
  { routes: [{ prefix: '/luma', model: 'luma' }, { prefix: '/vidu/', model: 'vidu', handler: 'RelayTask' }] },
  { thresholds: { dbSlowMs: 250, upstreamSlowMs: 45000 } },
  { profile: 'new-api', routes: [], thresholds: {}, relayUrls: [] },
];

const BAD: [unknown, RegExp][] = [
  [[], /\(top level\) must be an object/],
  [{ profile: 'oneapi' }, /profile must be one of "new-api", "one-api", "bltcy", got "oneapi"/],
  [{ profle: 'bltcy' }, /unknown key "profle"/],
  [{ routes: {} }, /routes must be an array/],
  [{ routes: [{ model: 'luma' }] }, /routes\[0\]\.prefix is required/],
  [{ routes: [{ prefix: 'luma', model: 'luma' }] }, /routes\[0\]\.prefix has an invalid value "luma"/],
  [{ routes: [{ prefix: '/luma/:id', model: 'luma' }] }, /routes\[0\]\.prefix has an invalid value/],
  [{ routes: [{ prefix: '/luma', model: ' luma' }] }, /routes\[0\]\.model has an invalid value " luma"/],
  [{ routes: [{ prefix: '/luma', model: 'luma', handler: 'relaybltcy' }] }, /routes\[0\]\.handler must be one of/],
  [{ routes: [{ prefix: '/luma', model: 'luma', weight: 1 }] }, /unknown key "routes\[0\]\.weight"/],
  [{ thresholds: { dbSlowMs: 0 } }, /thresholds\.dbSlowMs must be ≥ 1, got 0/],
  [{ thresholds: { dbSlowMs: 1.5 } }, /thresholds\.dbSlowMs must be an integer, got number 1\.5/],
  [{ thresholds: { dbSlowMs: '1000' } }, /thresholds\.dbSlowMs must be an integer, got string "1000"/],
  [{ thresholds: { dbSlow: 10 } }, /unknown key "thresholds\.dbSlow"/],
  [{ relayUrls: 'http://a' }, /relayUrls must be an array/],
  [{ relayUrls: ['ftp://relay'] }, /relayUrls\[0\] has an invalid value "ftp:\/\/relay"/],
];

describe('config validation (schema/relay-doctor.config.schema.json)', () => {
  it('accepts the good configs', () => {
    for (const c of GOOD) expect(configProblems(c), JSON.stringify(c)).toEqual([]);
  });

  it('refuses the bad ones with a line naming the bad key', () => {
    for (const [c, re] of BAD) {
      const problems = configProblems(c);
      expect(problems.length, JSON.stringify(c)).toBeGreaterThan(0);
      expect(problems[0], JSON.stringify(c)).toMatch(re);
      expect(problems[0]).not.toContain('\n');
      expect(() => parseConfig(JSON.stringify(c), CONFIG_FILE)).toThrow(UsageError);
    }
  });

  it('rejects what the schema cannot say: duplicate prefixes and prefixes that collide with relay routes', () => {
    expect(() => parseConfig(JSON.stringify({ routes: [{ prefix: '/luma', model: 'a' }, { prefix: '/luma/', model: 'b' }] }), 'c.json')).toThrow(/routes\[1\]\.prefix "\/luma\/" is listed twice/);
    expect(() => parseConfig(JSON.stringify({ routes: [{ prefix: '/runway', model: 'x' }] }), 'c.json')).toThrow(/c\.json: custom route \/runway\/ collides with the relay route/);
    expect(() => parseConfig('{"profile": "bltcy",}', 'c.json')).toThrow(/^c\.json is not valid JSON/);
  });

  it('the schema uses only keywords the validator implements, and is a draft-07 object schema', () => {
    const schema = configSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    // A config touching every node of the schema makes the validator visit all of it.
    expect(validate({ $schema: 'x', profile: 'bltcy', routes: [{ prefix: '/a', model: 'a', handler: 'Relay' }], thresholds: { dbSlowMs: 1, upstreamSlowMs: 1 }, relayUrls: ['http://a'] }, schema)).toEqual([]);
    expect(() => validate({}, { type: 'object', oneOf: [] })).toThrow(SchemaSubsetError);
  });
});

describe('config file in use', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is read from the working directory, or from --config; options win over it', () => {
    fs.writeFileSync(path.join(dir, CONFIG_FILE), JSON.stringify({ profile: 'bltcy', relayUrls: ['http://127.0.0.1:3000/'], thresholds: { dbSlowMs: 300 } }));
    expect(loadConfig(dir).file).toBe(path.join(dir, CONFIG_FILE));
    const ctx = buildContext({ common: { dsn: 'sqlite:///tmp/none.db' }, cwd: dir, processEnv: {} });
    expect(ctx.profile).toBe('bltcy');
    expect(ctx.relayUrls).toEqual(['http://127.0.0.1:3000']);
    expect(ctx.config.thresholds?.dbSlowMs).toBe(300);
    const over = buildContext({ common: { dsn: 'sqlite:///tmp/none.db', profile: 'new-api', relayUrl: ['http://127.0.0.2:1'] }, cwd: dir, processEnv: {} });
    expect(over.profile).toBe('new-api');
    expect(over.relayUrls).toEqual(['http://127.0.0.2:1']);
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ profile: 'one-api' }));
    expect(buildContext({ common: { dsn: 'sqlite:///tmp/none.db', config: 'other.json' }, cwd: dir, processEnv: {} }).profile).toBe('one-api');
    expect(() => buildContext({ common: { dsn: 'sqlite:///tmp/none.db', config: 'missing.json' }, cwd: dir, processEnv: {} })).toThrow(/cannot read --config missing\.json: ENOENT/);
    // No file in the working directory: an empty config.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-config-empty-'));
    expect(buildContext({ common: { dsn: 'sqlite:///tmp/none.db' }, cwd: empty, processEnv: {} }).config).toEqual({});
    fs.rmSync(empty, { recursive: true });
  });

  it('CLI: a bad config is one line on stderr naming the key, exit 2, before or after the command name', async () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ thresholds: { dbSlowMs: -5 } }));
    for (const args of [['--config', 'bad.json', 'diagnose', '--dsn', 'x.db'], ['diagnose', '--config', 'bad.json', '--dsn', 'x.db']]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual(['relay-doctor: bad.json: thresholds.dbSlowMs must be ≥ 1, got -5']);
      expect(r.stdout).toBe('');
    }
  });

  it('CLI: custom routes reach the route table and the routing model of a path', async () => {
    const cfg = path.join(dir, 'routes.json');
    fs.writeFileSync(cfg, JSON.stringify({ profile: 'bltcy', routes: [{ prefix: '/luma', model: 'luma' }] }));
    const r = await runCli(['--config', cfg, 'routes', '--path', '/luma/v1/generations', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.profile).toBe('bltcy');
    expect(doc.routes.some((x: { pattern: string }) => x.pattern === '/luma/*path')).toBe(true);
    expect(doc.match.model).toBe('luma');
    expect(doc.match.matched.handler).toBe('RelayBltcy');
    const without = await runCli(['routes', '--profile', 'bltcy', '--path', '/luma/v1/generations', '--json'], { cwd: dir });
    expect(without.json().match.matched ?? null).toBeNull();
  });
});
