import { describe } from 'vitest';
import { redisHealth } from '../../../src/checks/environment/redis.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('environment/redis', () => {
  checkTester(redisHealth, [
    { name: 'no Redis configured: nothing', snap: snapshot(), expect: [] },
    { name: 'Redis answers, secret set', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://127.0.0.1:6379', CRYPTO_SECRET: 's3cret-value' }, redis: { ok: true, ms: 1 } }), expect: [] },
    { name: 'Redis unreachable fails', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://:pw@127.0.0.1:6390', CRYPTO_SECRET: 'x' }, redis: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:6390' } }), expect: [{ code: 'REDIS_UNREACHABLE', status: 'fail', match: /redis:\/\/:\*\*\*@127\.0\.0\.1:6390/ }] },
    { name: 'no CRYPTO_SECRET nor SESSION_SECRET with Redis', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://h:6379' }, redis: { ok: true } }), expect: [{ code: 'SECRET_EPHEMERAL', status: 'warn' }] },
    { name: 'SESSION_SECRET is enough', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://h:6379', SESSION_SECRET: 'abc' }, redis: { ok: true } }), expect: [] },
  ]);
});
