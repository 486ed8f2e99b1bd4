import { splitList } from '../relay/lists.js';
import type { ChannelRow } from '../relay/model.js';
import { routeModels, type CustomRoute } from '../relay/routes.js';
import type { Product } from '../context/dsn.js';
import type { GroupUse } from '../data/load.js';

export const MAX_SWEEP_MODELS = 300;

/** Route models of the profile, plus the models enabled channels serve (clean names only). */
export function sweepModels(product: Product, channels: readonly ChannelRow[], extras?: CustomRoute[]): string[] {
  const fixed = routeModels(product, extras).fixed;
  const served = channels.filter((c) => c.status === 1).flatMap((c) => splitList(c.models)).filter((m) => m !== '' && m === m.trim());
  return [...new Set([...fixed, ...served.sort()])].slice(0, MAX_SWEEP_MODELS);
}

/** The groups requests actually use: token group when set, else the owner's group. */
export function sweepGroups(use: GroupUse[] | undefined): { group: string; tokens: number }[] {
  const counts = new Map<string, number>();
  for (const u of use ?? []) {
    const g = u.tokenGroup ? u.tokenGroup : (u.userGroup ?? '');
    counts.set(g, (counts.get(g) ?? 0) + u.tokens);
  }
  if (!counts.size) counts.set('default', 0);
  return [...counts].map(([group, tokens]) => ({ group, tokens })).sort((a, b) => b.tokens - a.tokens);
}
