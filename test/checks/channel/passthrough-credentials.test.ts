import { describe } from 'vitest';
import { passthroughCredentials } from '../../../src/checks/channel/passthrough-credentials.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

const s = (header: string[], path = '/runwayml/v1/image_to_video', product: 'bltcy' | 'new-api' = 'bltcy') => snapshot({ product, target: { path, header, group: 'default' } });

describe('channel/passthrough-credentials', () => {
  checkTester(passthroughCredentials, [
    { name: 'plain client', snap: s(['Content-Type: application/json']), expect: [] },
    { name: 'x-ptoken and cookies reach the legacy gateway', snap: s(['x-ptoken: relay-user-credential-123', 'Cookie: session=abcdef']), expect: [{ code: 'PASSTHROUGH_FORWARDS_CREDENTIALS', status: 'warn', match: /x-ptoken, cookie/ }] },
    { name: 'conditional headers on a poll', snap: s(['If-None-Match: "etag"'], '/runwayml/v1/tasks/1'), expect: [{ code: 'PASSTHROUGH_FORWARDS_CREDENTIALS', status: 'info', match: /304/ }] },
    { name: 'normal route: not forwarded verbatim', snap: s(['Cookie: a=b'], '/v1/chat/completions'), expect: [] },
  ]);
});
