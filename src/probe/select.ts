import type { RunContext } from '../context/types.js';
import { loadAbilities, loadChannels } from '../data/load.js';
import { readSchema } from '../data/schema.js';
import type { Db } from '../db/types.js';
import { splitList } from '../relay/lists.js';
import type { ChannelRow } from '../relay/model.js';
import { normalizeModelName } from '../relay/models.js';
import { detectProduct, detectProductWithChannels, type ProductInfo } from '../relay/product.js';
import { selectChannel } from '../relay/select.js';
import { relaySettings } from '../relay/settings.js';
import { UsageError } from '../types.js';

// Which channels probe-upstream probes: by id, every enabled one, or those the relay would
// pick for (group, model) in its current routing mode.

export type ChannelChoice = { by: 'id'; ids: number[] } | { by: 'all' } | { by: 'model'; model: string; group?: string };

export interface Selected {
  product: ProductInfo;
  channels: ChannelRow[];
  /** How the selection was made, for the document. */
  selection: Record<string, unknown>;
}

export class NotARelayError extends Error {}

export async function selectChannels(ctx: RunContext, db: Db, choice: ChannelChoice): Promise<Selected> {
  const schema = await readSchema(db);
  const base = detectProduct(schema, ctx.profile);
  if (!base.recognized) throw new NotARelayError(base.missing.length ? `not a relay database: missing table(s) ${base.missing.join(', ')}` : 'not a relay database');
  const channels = await loadChannels(db, schema);
  const product = detectProductWithChannels(schema, channels, ctx.profile);
  const byId = new Map(channels.map((c) => [c.id, c]));

  if (choice.by === 'id') {
    const missing = choice.ids.filter((id) => !byId.has(id));
    if (missing.length) throw new UsageError(`no channel with id ${missing.join(', ')} in ${ctx.db.target.redacted}`);
    return { product, channels: choice.ids.map((id) => byId.get(id)!), selection: { by: 'id', ids: choice.ids } };
  }
  if (choice.by === 'all') {
    return { product, channels: channels.filter((c) => c.status === 1), selection: { by: 'all', enabled: true } };
  }
  const { model, group } = choice;
  if (group === undefined) {
    const serving = channels.filter((c) => c.status === 1 && splitList(c.models).includes(model));
    return { product, channels: serving, selection: { by: 'model', model, group: null } };
  }
  const settings = relaySettings(ctx.env.values, product, Boolean(ctx.redis));
  const models = [...new Set([model, normalizeModelName(model, product.build)])];
  const abilities = await loadAbilities(db, schema, models);
  const sel = selectChannel(
    { mode: settings.memoryCacheOn ? 'cache' : 'abilities', build: product.build, channels, channelsById: byId, abilities: abilities.rows },
    group,
    model,
  );
  // Every tier of the slot: retries and later picks reach lower tiers too.
  const ids = [...new Set([...sel.candidates.map((c) => c.channel.id), ...sel.slot])].filter((id) => byId.has(id));
  return {
    product,
    channels: ids.map((id) => byId.get(id)!),
    selection: { by: 'model', model, group, mode: sel.mode, firstTier: sel.candidates.map((c) => c.channel.id), ...(sel.error ? { error: sel.error } : {}) },
  };
}
