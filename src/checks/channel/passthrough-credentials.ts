import type { Check } from '../types.js';
import { finding } from '../report.js';

// Everything but Authorization, Content-Type, Accept and Host is copied upstream (RB §10.4).
const CREDENTIALS = ['x-ptoken', 'x-vtoken', 'x-ctoken', 'cookie', 'mj-api-secret', 'x-api-key', 'x-goog-api-key'];
const CONDITIONAL = ['if-none-match', 'if-modified-since'];

export const passthroughCredentials: Check = {
  id: 'channel/passthrough-credentials',
  stage: 'channel',
  scope: 'target',
  codes: ['PASSTHROUGH_FORWARDS_CREDENTIALS'],
  description: 'client credentials the passthrough would copy to the legacy gateway',
  run({ snap, target }) {
    if (!target.passthrough || snap.product.product !== 'bltcy') return [];
    const names = [...snap.run.target.headers.keys()];
    const creds = names.filter((n) => CREDENTIALS.includes(n));
    const out = [];
    if (creds.length) {
      out.push(
        finding('PASSTHROUGH_FORWARDS_CREDENTIALS', `the client sends ${creds.join(', ')}; the passthrough copies every client header except Authorization, Content-Type, Accept and Host, so the legacy gateway receives them (the user's own relay credential included)`, {
          evidence: { headers: creds, valuesShown: false },
          remedy: { text: 'Strip these headers in front of the relay (reverse proxy), or stop the client from sending them on passthrough routes.' },
        }),
      );
    }
    const cond = names.filter((n) => CONDITIONAL.includes(n));
    if (cond.length) {
      out.push(
        finding('PASSTHROUGH_FORWARDS_CREDENTIALS', `the client sends ${cond.join(', ')}, which the passthrough forwards: the legacy gateway may answer 304 Not Modified with no body to a poll`, {
          status: 'info',
          evidence: { headers: cond },
          remedy: { text: 'Do not send conditional headers on polls.' },
        }),
      );
    }
    return out;
  },
};
