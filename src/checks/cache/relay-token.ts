import { agreement, dbExpectation } from '../../live/compare.js';
import { answerText, exchangeEvidence } from '../../live/describe.js';
import { codeInfo, type Code } from '../../contract.js';
import type { Finding } from '../../types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// A node that refuses the caller's token while the rows accept it: the node's view of the token
// or its owner is not the database's (F34, F35, F37, F76). The code is the one the answer names.

export const relayToken: Check = {
  id: 'cache/relay-token',
  stage: 'token',
  scope: 'relay',
  codes: ['TOKEN_NOT_FOUND', 'TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED', 'TOKEN_KEY_MALFORMED', 'TOKEN_MODEL_FORBIDDEN', 'TOKEN_IP_RESTRICTED', 'USER_MISSING', 'USER_BANNED', 'GROUP_NOT_USABLE', 'GROUP_NOT_IN_RATIO'],
  description: "each node's TokenAuth answer for the caller's token, against the rows",
  run({ snap, target }) {
    const relay = snap.live?.relay;
    if (!relay || target.cell) return [];
    const exp = dbExpectation(snap, target);
    const out: Finding[] = [];
    for (const n of relay.nodes) {
      if (agreement(n.routing, exp) !== 'relay-refuses') continue;
      const c = n.routing!.classification!;
      const code: Code = c.code && codeInfo(c.code)?.stage === 'token' ? c.code : c.kind === 'owner-lookup' ? 'USER_MISSING' : 'TOKEN_NOT_FOUND';
      const redis = snap.settings.redisSet ? `a Redis hash older than the row (up to ${snap.settings.syncFrequency} s; run with --redis to name the key)` : 'the node reads another database than relay-doctor (its SQL_DSN)';
      out.push(
        finding(code, `${n.label} refuses the caller (probe: ${answerText(n.routing)}: ${c.meaning}) although the rows accept the token and its owner: the node's view is not the database's: ${redis}`, {
          status: 'fail',
          subject: { node: n.label, tokenId: target.token?.token?.id },
          evidence: { node: n.label, probe: exchangeEvidence(n.routing), redisSet: snap.settings.redisSet },
          remedy: { text: snap.settings.redisSet ? `Wait up to ${snap.settings.syncFrequency} s or delete the token and user hashes (relay-doctor names them with --redis).` : "Compare the node's SQL_DSN with the database relay-doctor read." },
        }),
      );
    }
    return out;
  },
};
