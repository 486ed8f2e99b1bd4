import type { Product } from '../context/dsn.js';
import { has, type Schema } from '../data/schema.js';
import { splitList } from './lists.js';

// Telling products and builds apart from the schema (RB §1.2). Column presence is the
// most reliable signal; a --profile given by the user wins.

export type Build = 'NA-main' | 'NA-0.9.16' | 'NA-2504' | 'BF' | 'OA';

export interface ProductInfo {
  product: Product;
  family: 'new-api' | 'one-api';
  build: Build;
  recognized: boolean;
  missing: string[];
  evidence: string[];
  source: 'schema' | '--profile' | 'schema+data';
}

const REQUIRED = ['channels', 'abilities', 'tokens', 'users', 'options'];

export function detectProduct(schema: Schema, override?: Product, hints?: { passthroughModelsOnType55?: string[] }): ProductInfo {
  const missing = REQUIRED.filter((t) => !has(schema, t));
  const evidence: string[] = [];
  const oneApi = !has(schema, 'tokens', 'group') && (has(schema, 'tokens', 'models') || has(schema, 'tokens', 'subnet') || has(schema, 'channels', 'config'));
  const bfCols = ['channels.channel_ratio', 'abilities.channel_ratio', 'abilities.workflow_price', 'tokens.external_user_id'].filter((c) => {
    const [t, col] = c.split('.') as [string, string];
    return has(schema, t, col);
  });
  const recognized =
    missing.length === 0 &&
    has(schema, 'channels', 'models') &&
    has(schema, 'channels', 'group') &&
    has(schema, 'abilities', 'channel_id') &&
    has(schema, 'tokens', 'key');

  let product: Product;
  let build: Build;
  if (oneApi) {
    product = 'one-api';
    build = 'OA';
    evidence.push('tokens has no group column but has models/subnet: one-api schema');
  } else if (bfCols.length) {
    product = 'bltcy';
    build = 'BF';
    evidence.push(`columns only the Bltcy fork creates: ${bfCols.join(', ')}`);
  } else {
    product = 'new-api';
    if (has(schema, 'users', 'auth_version') || has(schema, 'tokens', 'auto_groups') || has(schema, 'logs', 'upstream_request_id')) {
      build = 'NA-main';
      evidence.push('users.auth_version / tokens.auto_groups: new-api main (2026)');
    } else if (has(schema, 'users', 'discord_id') || has(schema, 'tokens', 'cross_group_retry')) {
      build = 'NA-main';
      evidence.push('users.discord_id / tokens.cross_group_retry: new-api after v0.9.16');
    } else if (!has(schema, 'channels', 'channel_info')) {
      build = 'NA-2504';
      evidence.push('no channels.channel_info: new-api before 2025-06-16');
    } else {
      build = 'NA-0.9.16';
      evidence.push('new-api family columns (abilities.weight, tokens.group); no later fingerprints');
    }
    const passthroughModels = hints?.passthroughModelsOnType55 ?? [];
    if (passthroughModels.length) {
      product = 'bltcy';
      build = 'BF';
      evidence.push(`type-55 channels serve passthrough models (${passthroughModels.join(', ')}): the Bltcy fork, where 55 is the passthrough`);
    }
  }
  if (override && override !== product) {
    evidence.push(`--profile ${override} overrides the detected ${product}`);
    product = override;
    build = override === 'one-api' ? 'OA' : override === 'bltcy' ? 'BF' : build === 'BF' || build === 'OA' ? 'NA-0.9.16' : build;
  }
  return {
    product,
    family: product === 'one-api' ? 'one-api' : 'new-api',
    build,
    recognized,
    missing,
    evidence,
    source: override ? '--profile' : hints?.passthroughModelsOnType55?.length ? 'schema+data' : 'schema',
  };
}

/** Models only a passthrough serves; a type-55 channel listing them is the fork's Bltcy channel. */
export const PASSTHROUGH_MODELS = ['runway', 'pika', 'kling', 'minimax', 'suno', 'jimeng', 'tripo'];

/** The schema's verdict, refined by the data: type-55 channels serving passthrough models mean BF. */
export function detectProductWithChannels(schema: Schema, channels: readonly { type: number; models: string | null }[], override?: Product): ProductInfo {
  const base = detectProduct(schema, override);
  if (base.family !== 'new-api' || override) return base;
  const hint = [...new Set(channels.filter((c) => c.type === 55).flatMap((c) => splitList(c.models)).filter((m) => PASSTHROUGH_MODELS.includes(m)))];
  return hint.length ? detectProduct(schema, undefined, { passthroughModelsOnType55: hint }) : base;
}
