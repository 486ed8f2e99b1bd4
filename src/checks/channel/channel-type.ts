import { typeName } from '../../relay/channel-types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const channelTypeCheck: Check = {
  id: 'channel/channel-type',
  stage: 'channel',
  scope: 'target',
  codes: ['CHANNEL_TYPE_MISMATCH'],
  description: "the channel's type is the one the route's handler expects, in this product",
  run({ snap, target }) {
    const route = target.route?.matched;
    const out = [];
    const product = snap.product.product;
    for (const c of target.channels) {
      const subject = { channelId: c.id };
      const name = typeName(product, c.type, snap.product.build) ?? 'unknown';
      if (target.passthrough && product === 'bltcy' && c.type !== 55) {
        const viaTask = route?.handler === 'RelayTask';
        out.push(
          finding('CHANNEL_TYPE_MISMATCH', `channel #${c.id} is type ${c.type} (${name}), not 55 (Bltcy): ${viaTask ? 'RelayTask switches to the passthrough only for type 55, so this route runs the native task adaptor instead' : 'RelayBltcy forwards through it anyway, and an empty base_url would fall back to that type\'s default host'}`, {
            subject,
            evidence: { type: c.type, typeName: name, handler: route?.handler ?? 'RelayBltcy' },
            remedy: { text: 'Use type 55 (旧网关 Bltcy) for passthrough channels, with the base URL set explicitly.' },
          }),
        );
      }
      if (c.type === 55 && product === 'new-api' && target.passthrough) {
        out.push(
          finding('CHANNEL_TYPE_MISMATCH', `channel #${c.id} is type 55, which upstream new-api reads as Sora, not the Bltcy passthrough`, {
            subject,
            evidence: { type: 55, product },
            remedy: { text: 'Check which build runs: the passthrough exists only in the Bltcy fork (--profile bltcy).' },
          }),
        );
      }
      if (target.model === 'jimeng' && c.type === 55 && product === 'bltcy') {
        out.push(
          finding('CHANNEL_TYPE_MISMATCH', `channel #${c.id} (type 55) serves jimeng: the Jimeng result query is forwarded as a GET with a body, which the legacy gateway rejects`, {
            subject,
            evidence: { type: 55, model: 'jimeng' },
            remedy: { text: 'Serve jimeng with a native Jimeng channel (type 51).' },
          }),
        );
      }
    }
    return out;
  },
};
