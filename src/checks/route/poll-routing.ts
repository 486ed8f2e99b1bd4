import { createHash } from 'node:crypto';
import { splitList } from '../../relay/lists.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

const SORA = ['sora-2', 'sora-2-pro'];

const keyHash = (k: string) => createHash('sha256').update(k).digest('hex');

/** BF: GET /v1/videos/<id> without a sora-2…: prefix routes as sora-2, whatever the submit used (F50). */
export const pollRouting: Check = {
  id: 'route/poll-routing',
  stage: 'route',
  scope: 'target',
  codes: ['POLL_ROUTING_AMBIGUOUS'],
  description: 'a poll reaches the same upstream and key as the submit it polls',
  run({ snap, target }) {
    const r = target.route;
    if (snap.product.product !== 'bltcy' || r?.modelSource.kind !== 'id-prefix-or-default' || target.model !== r.modelSource.default) return [];
    const group = target.group;
    const serving = snap.channels.filter(
      (c) => c.status === 1 && splitList(c.models).some((m) => SORA.includes(m)) && (group === undefined || splitList(c.group).includes(group)),
    );
    const upstreams = new Set(serving.map((c) => `${c.baseUrl ?? ''}\u0000${keyHash(c.key.reveal())}`));
    if (upstreams.size < 2) return [];
    return [
      finding('POLL_ROUTING_AMBIGUOUS', `${target.method} ${target.path}: the task id has no "sora-2…:" prefix, so the poll routes as "${target.model}", while ${serving.length} enabled channels (${serving.map((c) => `#${c.id}`).join(', ')}) serve Sora models${group !== undefined ? ` in group "${group}"` : ''} with ${upstreams.size} different upstreams or keys: the poll can reach another upstream than the submit and answer "not found"`, {
        subject: { model: target.model, ...(group !== undefined ? { group } : {}) },
        evidence: { channels: serving.map((c) => ({ id: c.id, models: c.models, baseUrl: c.baseUrl })), distinctUpstreamsOrKeys: upstreams.size },
        remedy: { text: 'Keep one Sora upstream (base URL and key) per group, or poll with the prefixed task ids (sora-2-pro:task_…) the submit returned.' },
      }),
    ];
  },
};
