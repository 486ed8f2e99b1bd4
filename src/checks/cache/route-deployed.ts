import { answerText, exchangeEvidence } from '../../live/describe.js';
import type { Finding } from '../../types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// The route check sends the target's method and path with no credential: a deployed route answers
// TokenAuth's 401 before anything else runs; a build without the route answers its web page or
// 404 Invalid URL (RB §9; F2, F3). Nothing reaches Distribute or the upstream.

export const routeDeployed: Check = {
  id: 'cache/route-deployed',
  stage: 'route',
  scope: 'target',
  codes: ['ROUTE_NOT_DEPLOYED'],
  description: 'each running node has the route the profile knows for the target path',
  run({ snap, target }) {
    const relay = snap.live?.relay;
    const def = target.route?.matched;
    if (!relay || !def || target.cell) return [];
    const out: Finding[] = [];
    for (const n of relay.nodes) {
      const c = n.route?.classification;
      if (!c || (c.kind !== 'web-page' && c.kind !== 'invalid-url')) continue;
      const what = c.kind === 'web-page' ? 'its web page (HTML, 200)' : `404 ${c.message ?? 'Invalid URL'}`;
      out.push(
        finding('ROUTE_NOT_DEPLOYED', `${n.label} answers ${target.method} ${target.path} with ${what} before TokenAuth, although ${snap.product.product} routes it (${def.pattern} → ${def.handler}${def.since ? `, since ${def.since}` : ''}): that route is not deployed on this node`, {
          subject: { node: n.label, path: target.path },
          evidence: { node: n.label, check: exchangeEvidence(n.route), answer: answerText(n.route), route: def.pattern, since: def.since, status: n.statusStart.ok ? { version: n.statusStart.version, startTime: n.statusStart.startTime, systemName: n.statusStart.systemName } : undefined },
          remedy: { text: 'Deploy the build that has this route to the node (and every other node), then re-run. Until then clients get the page instead of JSON ("Unexpected token \'<\'").' },
        }),
      );
    }
    return out;
  },
};
