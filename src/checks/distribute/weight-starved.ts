import type { Check } from '../types.js';
import { finding } from '../report.js';

export const weightStarved: Check = {
  id: 'distribute/weight-starved',
  stage: 'distribute',
  scope: 'target',
  codes: ['WEIGHT_ZERO_STARVED'],
  description: 'no weight-0 channel sits unused next to weighted ones (new-api ≥ 2025-10-29, cache path)',
  run({ target }) {
    const sel = target.selection;
    if (!sel?.starved.length) return [];
    return sel.starved.map((c) =>
      finding('WEIGHT_ZERO_STARVED', `channel #${c.id} has weight 0 in a priority tier with weighted channels: this build never picks it for ${target.model} × ${JSON.stringify(target.group)}`, {
        subject: { channelId: c.id, group: target.group, model: target.model },
        evidence: { tier: sel.candidates.map((x) => ({ id: x.channel.id, priority: x.priority, weight: x.weight, share: Math.round(x.share * 1000) / 1000 })) },
        remedy: { text: 'Give the channel a weight, or move it to its own priority.' },
      }),
    );
  },
};
