import { buildAbilities, diffAbilities } from '../../relay/abilities.js';
import { abilitiesOf, channelsListing } from '../../relay/indexes.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const abilitiesSync: Check = {
  id: 'distribute/abilities-sync',
  stage: 'distribute',
  scope: 'target',
  codes: ['ABILITIES_OUT_OF_SYNC'],
  description: 'abilities rows for (group, model) match what the relay would build from channels',
  run({ snap, target }) {
    const { group, model } = target;
    if (group === undefined || model === undefined) return [];
    const expected = buildAbilities(channelsListing(snap.channels, model), new Set([model])).filter((e) => e.group === group);
    const actual = abilitiesOf(snap.abilities.rows, group, model);
    const diff = diffAbilities(expected, actual);
    if (!diff.missing.length && !diff.extra.length && !diff.changed.length) return [];
    // Abilities route when the memory cache is off, and in BF's fallback when the cache misses.
    const routes = !snap.settings.memoryCacheOn || snap.product.build === 'BF';
    const parts = [
      diff.missing.length && `missing for channel(s) ${diff.missing.map((m) => `#${m.channelId}`).join(', ')}`,
      diff.extra.length && `extra (no channel produces them) for ${diff.extra.map((e) => `#${e.channelId}`).join(', ')}`,
      diff.changed.length && `different for ${diff.changed.map((c) => `#${c.expected.channelId} (${c.fields.join(', ')})`).join(', ')}`,
    ].filter(Boolean);
    const why = routes
      ? snap.settings.memoryCacheOn
        ? 'the fork falls back to abilities when its cache misses, so they route'
        : 'the memory cache is off, so the relay routes from abilities'
      : 'routing follows channels (memory cache on), but /v1/models, pricing and a future FixAbility follow abilities';
    return [
      finding('ABILITIES_OUT_OF_SYNC', `abilities rows for ${model} × ${JSON.stringify(group)} disagree with the channels table: ${parts.join('; ')}; ${why}`, {
        status: routes ? 'fail' : 'warn',
        subject: { group, model },
        evidence: {
          missing: diff.missing.map((m) => ({ channelId: m.channelId, enabled: m.enabled, priority: m.priority, weight: m.weight })),
          extra: diff.extra.map((e) => ({ channelId: e.channelId, enabled: e.enabled, priority: e.priority })),
          changed: diff.changed.map((c) => ({ channelId: c.expected.channelId, fields: c.fields, expected: { enabled: c.expected.enabled, priority: c.expected.priority, weight: c.expected.weight }, actual: { enabled: c.actual.enabled, priority: c.actual.priority, weight: c.actual.weight } })),
          memoryCacheOn: snap.settings.memoryCacheOn,
        },
        remedy: { text: 'Rebuild abilities from channels the way the relay does (never insert abilities by hand).', commands: ['relay-doctor fix-abilities', 'relay-doctor fix-abilities --apply'] },
      }),
    ];
  },
};
