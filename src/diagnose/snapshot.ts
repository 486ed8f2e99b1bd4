import type { RunContext } from '../context/types.js';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { loadAbilities, loadChannels, loadGroupUse, loadMalformedKeys, loadOptions } from '../data/load.js';
import { pingRedis } from '../data/redis.js';
import { readSchema } from '../data/schema.js';
import { normalizeModelName } from '../relay/models.js';
import { detectProduct, detectProductWithChannels } from '../relay/product.js';
import { relaySettings } from '../relay/settings.js';
import type { Snapshot } from './facts.js';

export class DbOpenError extends Error {}
export class SchemaError extends Error {
  constructor(
    message: string,
    readonly missing: string[],
  ) {
    super(message);
  }
}

/** One line, no secrets: drivers sometimes echo the connection string. */
export function describeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  let msg = String(e?.message ?? err).split('\n')[0]!;
  msg = msg.replace(/(postgres(?:ql)?|mysql):\/\/[^\s]+/g, '<dsn>').replace(/password[^\s,;]*/gi, 'password ***');
  if (e?.code && !msg.includes(e.code)) msg = `${e.code}: ${msg}`;
  return msg || 'unknown error';
}

export async function connect(ctx: RunContext): Promise<{ db: Db; connectMs: number; pingMs: number }> {
  const started = performance.now();
  let db: Db;
  try {
    db = await openDb(ctx.db.target, { readOnly: true });
  } catch (err) {
    throw new DbOpenError(describeDbError(err));
  }
  const connectMs = Math.round(performance.now() - started);
  const p = performance.now();
  try {
    await db.query('SELECT 1 AS one');
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new DbOpenError(describeDbError(err));
  }
  return { db, connectMs, pingMs: Math.round(performance.now() - p) };
}

export interface SnapshotNeeds {
  /** Routing models whose abilities rows are needed. */
  models: string[];
  sweep: boolean;
}

export async function loadSnapshot(ctx: RunContext, conn: { db: Db; connectMs: number; pingMs: number }, modelsFor: (s: Pick<Snapshot, 'product' | 'channels'>) => SnapshotNeeds): Promise<Snapshot> {
  const { db } = conn;
  const schema = await readSchema(db);
  const base = detectProduct(schema, ctx.profile);
  if (!base.recognized) {
    throw new SchemaError(
      base.missing.length ? `not a relay database: missing table(s) ${base.missing.join(', ')}` : 'not a relay database: channels/abilities/tokens lack the relay columns',
      base.missing,
    );
  }
  const [options, channels] = await Promise.all([loadOptions(db, schema), loadChannels(db, schema)]);
  const product = detectProductWithChannels(schema, channels, ctx.profile);
  const settings = relaySettings(ctx.env.values, product, Boolean(ctx.redis));
  const needs = modelsFor({ product, channels });
  const models = [...new Set(needs.models.flatMap((m) => [m, normalizeModelName(m, product.build)]))];
  const [abilities, redis, groupUse, malformedKeys] = await Promise.all([
    loadAbilities(db, schema, models),
    ctx.redis ? pingRedis(ctx.redis.url) : Promise.resolve(undefined),
    needs.sweep ? loadGroupUse(db, schema) : Promise.resolve(undefined),
    needs.sweep ? loadMalformedKeys(db, schema) : Promise.resolve(undefined),
  ]);
  return {
    run: ctx,
    db: { engine: db.engine, redacted: ctx.db.target.redacted, connectMs: conn.connectMs, pingMs: conn.pingMs },
    schema,
    product,
    settings,
    options,
    channels,
    channelsById: new Map(channels.map((c) => [c.id, c])),
    abilities,
    redis,
    groupUse,
    malformedKeys,
  };
}
