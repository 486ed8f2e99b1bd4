import { describe } from 'vitest';
import { tokenModels } from '../../../src/checks/token/token-models.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const snap = snapshot({ target: { path: '/runwayml/v1/image_to_video' } });
const tm = (limits: string, enabled = true, given?: string) => target(snap, { token: token({ id: 1, key: 'B'.repeat(48), modelLimitsEnabled: enabled, modelLimits: limits }), user: user({ id: 1, role: 100 }), given });

describe('token/token-models', () => {
  checkTester(tokenModels, [
    { name: 'limits off', snap, target: tm('gen4_turbo', false), expect: [] },
    { name: 'routing model listed', snap, target: tm('pika,runway'), expect: [] },
    { name: 'only the body model listed: passthrough checks the routing model', snap, target: tm('gen4_turbo'), expect: [{ code: 'TOKEN_MODEL_FORBIDDEN', match: /routing model/ }] },
    { name: 'padded entry is a different name', snap, target: tm('pika, runway'), expect: [{ code: 'TOKEN_MODEL_FORBIDDEN', match: /does not trim/ }] },
    { name: 'empty list with limits on forbids everything', snap, target: tm(''), expect: [{ code: 'TOKEN_MODEL_FORBIDDEN', match: /no model/ }] },
    { name: 'a pinned request skips the check', snap, target: tm('gen4_turbo', true, `sk-${'B'.repeat(48)}-8`), expect: [] },
  ]);
});
