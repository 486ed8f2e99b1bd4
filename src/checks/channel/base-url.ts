import { baseUrlView } from '../../relay/channel.js';
import { defaultBaseUrl, typeTableLength } from '../../relay/channel-types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

const types = { defaultBaseUrl: (p: Parameters<typeof defaultBaseUrl>[0], t: number, b?: string) => defaultBaseUrl(p, t, b) ?? '', typeTableLength };

/** `passthrough`: the path is forwarded after base_url verbatim (RB §10.3); normal adaptors append their own paths, and some types' defaults carry one. */
function malformed(url: string, passthrough: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'it is not an absolute URL (no scheme): the request fails with unsupported protocol scheme';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `its scheme is ${u.protocol}`;
  if (passthrough && url.endsWith('/')) return 'it ends with "/": the passthrough appends the path as is, giving "//…"';
  if (passthrough && u.pathname !== '/' && u.pathname !== '') return `it carries the path ${u.pathname}, which the passthrough prepends to every forwarded path`;
  if (/^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(u.hostname)) return 'it points at localhost: the relay host itself';
  return undefined;
}

export const baseUrl: Check = {
  id: 'channel/base-url',
  stage: 'channel',
  scope: 'target',
  codes: ['CHANNEL_BASE_URL_MISSING', 'CHANNEL_BASE_URL_MALFORMED', 'CHANNEL_TYPE_OUT_OF_RANGE'],
  description: "the selected channel's base URL as GetBaseURL() returns it",
  run({ snap, target }) {
    const out = [];
    const passthrough = Boolean(target.passthrough);
    for (const c of target.channels) {
      const v = baseUrlView(c, snap.product.product, snap.product.build, types);
      const subject = { channelId: c.id };
      if (v.panics) {
        out.push(
          finding('CHANNEL_TYPE_OUT_OF_RANGE', `channel #${c.id} has type ${c.type}, beyond this build's type table (${v.tableLength} entries), and an empty base_url: every request through it panics (500 new_api_panic, index out of range)`, {
            subject,
            evidence: { type: c.type, tableLength: v.tableLength, baseUrl: c.baseUrl },
            remedy: { text: 'Set the base URL explicitly, or use a channel type this build knows.' },
          }),
        );
        continue;
      }
      if (v.source === 'none') {
        out.push(
          finding('CHANNEL_BASE_URL_MISSING', `channel #${c.id} has ${c.baseUrl === null ? 'a NULL' : 'an empty'} base_url and type ${c.type} has no default host: ${passthrough ? 'the passthrough answers 500 invalid_base_url (渠道 BaseURL 未配置…)' : 'requests go nowhere'}`, {
            status: 'fail',
            subject,
            evidence: { baseUrl: c.baseUrl, type: c.type },
            remedy: { text: "Set the upstream's origin (https://host, no trailing slash, no path) in the channel settings." },
          }),
        );
        continue;
      }
      if (v.source === 'type-default') {
        out.push(
          finding('CHANNEL_BASE_URL_MISSING', `channel #${c.id} has an empty base_url, so the relay sends its requests to type ${c.type}'s default host ${v.effective}${passthrough ? ' — with the legacy gateway key, on a passthrough route' : ''}`, {
            status: 'warn',
            subject,
            evidence: { type: c.type, defaultHost: v.effective },
            remedy: { text: 'Set the base URL explicitly if the default host is not the intended upstream.' },
          }),
        );
      }
      const why = v.source === 'stored' ? malformed(v.effective, passthrough) : undefined;
      if (why) {
        out.push(
          finding('CHANNEL_BASE_URL_MALFORMED', `channel #${c.id} base_url ${JSON.stringify(v.effective)}: ${why}`, {
            subject,
            evidence: { baseUrl: v.effective, example: target.path && passthrough ? `${v.effective}${target.path}` : undefined },
            remedy: { text: 'Store the bare origin, e.g. https://api.example.com' },
          }),
        );
      }
    }
    return out;
  },
};
