import { describe } from 'vitest';
import { routeMatch } from '../../../src/checks/route/route-match.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

const s = (product: 'bltcy' | 'new-api' | 'one-api', path: string, method = 'POST') => snapshot({ product, target: { path, method } });

describe('route/route-match', () => {
  checkTester(routeMatch, [
    { name: 'BF knows /runwayml/*', snap: s('bltcy', '/runwayml/v1/image_to_video'), expect: [] },
    { name: 'new-api has no /runwayml route: HTML page', snap: s('new-api', '/runwayml/v1/image_to_video'), expect: [{ code: 'ROUTE_UNKNOWN', status: 'fail', match: /web page/ }] },
    { name: 'one-api has no /runway route', snap: s('one-api', '/runway/v1/tasks'), expect: [{ code: 'ROUTE_UNKNOWN', match: /HTML|web page/ }] },
    { name: 'unknown /v1 path answers 404 JSON', snap: s('bltcy', '/v1/does-not-exist'), expect: [{ code: 'ROUTE_UNKNOWN', match: /404/ }] },
    { name: 'POST-only route called with GET falls through', snap: s('bltcy', '/suno/generate', 'GET'), expect: [{ code: 'ROUTE_UNKNOWN', match: /other methods only/ }] },
    { name: 'trailing slash on a fixed route: 307 for POST', snap: s('bltcy', '/v1/audio/generations/'), expect: [{ code: 'ROUTE_TRAILING_SLASH', status: 'warn', match: /307/ }] },
    { name: 'no --path: nothing to check', snap: snapshot(), expect: [] },
  ]);
});
