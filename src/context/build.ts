import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { UsageError } from '../types.js';
import { DsnError, parseRelayDsn, parseUserDsn, redactUrl, type Product } from './dsn.js';
import { layerEnv, parseEnvAssignments, readEnvFile } from './env.js';
import { Secret } from './secret.js';
import type { CommonOptions, RequestBody, RunContext, TargetOptions, TargetSpec } from './types.js';

const PROFILES: Product[] = ['new-api', 'one-api', 'bltcy'];

export function readBody(spec: string | undefined, cwd: string): RequestBody | undefined {
  if (spec === undefined) return undefined;
  let text = spec;
  if (spec.startsWith('@')) {
    const file = path.resolve(cwd, spec.slice(1));
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read body file ${spec.slice(1)}`);
    }
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    return { text, parseError: (err as Error).message };
  }
}

function parseId(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} expects a non-negative integer`);
  return n;
}

function parseHeaders(list: string[] | undefined): Map<string, Secret> {
  const out = new Map<string, Secret>();
  for (const h of list ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError('--header expects "Name: value"');
    out.set(h.slice(0, i).trim().toLowerCase(), new Secret(h.slice(i + 1).trim()));
  }
  return out;
}

export function buildTarget(t: TargetOptions, cwd: string): TargetSpec {
  if (t.path !== undefined && !t.path.startsWith('/')) throw new UsageError('--path must start with /');
  const method = (t.method ?? (t.path ? 'POST' : 'POST')).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UsageError('--method expects an HTTP method such as POST or GET');
  return {
    method,
    path: t.path,
    model: t.model,
    body: readBody(t.body, cwd),
    token: t.token !== undefined ? new Secret(t.token.trim()) : undefined,
    tokenId: parseId(t.tokenId, '--token-id'),
    tokenName: t.tokenName,
    group: t.group,
    headers: parseHeaders(t.header),
  };
}

export interface BuildInput {
  common: CommonOptions;
  target?: TargetOptions;
  processEnv?: NodeJS.ProcessEnv;
  cwd?: string;
  stdoutIsTty?: boolean;
  /** Options accepted for compatibility but not implemented by this build. */
  notImplemented?: string[];
  /** All command options, kept for features that read their own flags. */
  flags?: Record<string, unknown>;
}

/** CI is set (most CI systems export CI=true; CI=false or 0 means not). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Secret) && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** One immutable context per run: options > process env > the relay's .env file. */
export function buildContext(input: BuildInput): RunContext {
  const cwd = input.cwd ?? process.cwd();
  const processEnv = input.processEnv ?? process.env;
  const c = input.common;
  let fileVars: Record<string, string> = {};
  if (c.envFile) {
    try {
      fileVars = readEnvFile(path.resolve(cwd, c.envFile));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  let cliVars: Record<string, string>;
  try {
    cliVars = parseEnvAssignments(c.env ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const env = layerEnv(fileVars, processEnv, cliVars);
  // Options win over the config file, which wins over detection.
  const loaded = loadConfig(cwd, c.config);
  // Relative SQLite paths are relative to the relay's working directory: the .env's folder when given.
  const relayDir = c.envFile ? path.dirname(path.resolve(cwd, c.envFile)) : cwd;

  let profile: Product | undefined;
  if (c.profile !== undefined) {
    if (!PROFILES.includes(c.profile as Product)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}`);
    profile = c.profile as Product;
  } else profile = loaded.config.profile;

  let db: RunContext['db'];
  try {
    if (c.dsn !== undefined) {
      db = { target: parseUserDsn(c.dsn, env.values, cwd), chosenBy: '--dsn' };
      if (env.values.SQL_DSN !== undefined) {
        // Still evaluate the relay's own DSN so DSN_MISPARSED can speak about it.
        try {
          db.facts = parseRelayDsn(env.values.SQL_DSN, env.values.SQLITE_PATH, profile, relayDir).facts;
        } catch {
          db.facts = { relayEngine: 'unparsable', misparse: 'SQL_DSN cannot be parsed by the relay' };
        }
      }
    } else {
      const r = parseRelayDsn(env.values.SQL_DSN, env.values.SQLITE_PATH, profile, relayDir);
      db = { target: r.target, facts: r.facts, chosenBy: env.values.SQL_DSN ? `SQL_DSN (${env.sources.SQL_DSN})` : r.target.source };
    }
  } catch (err) {
    if (err instanceof DsnError) throw new UsageError(err.message);
    throw err;
  }

  let logDb: RunContext['logDb'];
  if (env.values.LOG_SQL_DSN) {
    try {
      logDb = parseRelayDsn(env.values.LOG_SQL_DSN, env.values.SQLITE_PATH, profile, relayDir).target;
    } catch {
      logDb = undefined; // reported by the environment checks
    }
  }

  let redis: RunContext['redis'];
  const redisUrl = c.redis ?? env.values.REDIS_CONN_STRING;
  if (redisUrl) {
    if (!/^rediss?:\/\//.test(redisUrl)) throw new UsageError('the Redis URL must start with redis:// or rediss://');
    redis = { url: new Secret(redisUrl), redacted: redactUrl(redisUrl), source: c.redis ? '--redis' : `REDIS_CONN_STRING (${env.sources.REDIS_CONN_STRING})` };
  }

  const relayUrls = (c.relayUrl?.length ? c.relayUrl : (loaded.config.relayUrls ?? [])).map((u) => {
    try {
      const url = new URL(u);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      return url.toString().replace(/\/$/, '');
    } catch {
      throw new UsageError(`--relay-url expects an http(s) URL, got "${u}"`);
    }
  });

  const tty = input.stdoutIsTty ?? Boolean(process.stdout.isTTY);
  const ctx: RunContext = {
    cwd,
    env,
    envFile: c.envFile,
    db,
    logDb,
    redis,
    relayUrls,
    profile,
    target: buildTarget(input.target ?? {}, cwd),
    output: {
      json: Boolean(c.json),
      verbose: Boolean(c.verbose),
      color: c.color !== false && tty && !processEnv.NO_COLOR && !isCI(processEnv),
      tty,
    },
    notImplemented: input.notImplemented ?? [],
    now: Math.floor(Date.now() / 1000),
    flags: { ...(input.flags ?? {}) },
    config: loaded.config,
    ...(loaded.file ? { configFile: loaded.file } : {}),
  };
  return deepFreeze(ctx);
}
