import { keyView } from '../../relay/channel.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const channelKeys: Check = {
  id: 'channel/keys',
  stage: 'channel',
  scope: 'target',
  codes: ['CHANNEL_KEY_MISSING', 'CHANNEL_MULTIKEY_UNFLAGGED'],
  description: 'the selected channel has a usable key, split the way the relay splits it',
  run({ snap, target }) {
    const out = [];
    const passthrough = Boolean(target.passthrough);
    for (const c of target.channels) {
      const k = keyView(c, snap.product.build);
      const subject = { channelId: c.id };
      if (k.empty) {
        out.push(
          finding('CHANNEL_KEY_MISSING', `channel #${c.id} has ${k.multiKey ? 'multi-key mode on and no keys' : 'an empty key'}: ${passthrough ? 'the passthrough answers 500 no_available_key (该渠道没有可用的密钥)' : 'the relay answers 500 channel:no_available_key or the upstream rejects the empty key'}`, {
            subject,
            evidence: { multiKey: k.multiKey, keys: k.total },
            remedy: { text: 'Set the upstream key in the channel settings.' },
          }),
        );
      } else if (k.multiKey && !k.enabled.length) {
        out.push(
          finding('CHANNEL_KEY_MISSING', `channel #${c.id}: all ${k.total} keys are disabled${k.fallsBackToFirst ? '; this build then keeps using the first key, which the upstream is likely to reject (401/403)' : ': the relay answers 500 channel:no_available_key'}`, {
            status: k.fallsBackToFirst ? 'warn' : 'fail',
            subject,
            evidence: { keys: k.total, enabledKeys: 0 },
            remedy: { text: 'Re-enable or replace keys in the channel settings (status is tracked by index: do not reorder keys by SQL).' },
          }),
        );
      }
      if (k.multilineUnflagged) {
        out.push(
          finding('CHANNEL_MULTIKEY_UNFLAGGED', `channel #${c.id}: the key holds several lines but multi-key mode is off, so the whole text (newlines included) is sent as one key; upstreams answer 401`, {
            subject,
            evidence: { lines: c.key.reveal().replace(/^\n+|\n+$/g, '').split('\n').length, isMultiKey: false },
            remedy: { text: 'Turn on multi-key mode in the admin UI, or keep one key per channel.' },
          }),
        );
      }
    }
    return out;
  },
};
