import type { Check } from '../types.js';
import { finding } from '../report.js';

export const routeMatch: Check = {
  id: 'route/route-match',
  stage: 'route',
  scope: 'target',
  codes: ['ROUTE_UNKNOWN', 'ROUTE_TRAILING_SLASH'],
  description: "the path matches one of the relay's routes for this method",
  run({ snap, target }) {
    const r = target.route;
    if (!r || !target.path) return [];
    const product = snap.product.product;
    if (r.trailingSlash) {
      return [
        finding('ROUTE_TRAILING_SLASH', `${target.method} ${target.path} differs from a route only by a trailing slash: the relay answers ${r.trailingSlash.status} to ${r.trailingSlash.redirectTo}, and clients may drop the body or Authorization when following it`, {
          evidence: { status: r.trailingSlash.status, location: r.trailingSlash.redirectTo },
          remedy: { text: `Call ${r.trailingSlash.redirectTo} exactly.` },
        }),
      ];
    }
    if (r.matched) return [];
    const answer = r.unmatchedAnswer === 'json-404' ? '404 {"error":{"message":"Invalid URL (…)"}}' : 'HTTP 200 with its web page (text/html), which JSON clients report as "Unexpected token \'<\'"';
    const why = r.methodNotRegistered
      ? `the path exists for other methods only, and gin does not answer 405: ${target.method} falls through to the catch-all`
      : `no ${product} route matches ${target.path}`;
    return [
      finding('ROUTE_UNKNOWN', `${target.method} ${target.path}: ${why}; the relay answers ${answer}`, {
        evidence: { product, build: snap.product.build, method: target.method, path: target.path, answer: r.unmatchedAnswer },
        remedy: {
          text:
            product === 'bltcy'
              ? 'Call a registered path (relay-doctor routes lists them), or register the route in the relay.'
              : `This ${product} relay has no such route. Passthrough paths (/runway, /runwayml, /pika, /kling, /minimax) exist only in the Bltcy fork; if this relay is the fork, say so with --profile bltcy.`,
          commands: [`relay-doctor routes --profile ${product}`],
        },
      }),
    ];
  },
};
