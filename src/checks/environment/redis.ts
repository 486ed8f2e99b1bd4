import type { Check } from '../types.js';
import { finding } from '../report.js';

export const redisHealth: Check = {
  id: 'environment/redis',
  stage: 'environment',
  scope: 'relay',
  codes: ['REDIS_UNREACHABLE', 'SECRET_EPHEMERAL'],
  description: 'Redis answers, and Redis token keys are stable across restarts and nodes',
  run({ snap }) {
    const out = [];
    const r = snap.redis;
    const redis = snap.run.redis;
    if (redis && r && !r.ok) {
      out.push(
        finding('REDIS_UNREACHABLE', `Redis at ${redis.redacted} does not answer (${r.error}): the relay refuses to start, and a running one answers /api/* with empty 500s`, {
          evidence: { redis: redis.redacted, source: redis.source, error: r.error },
          remedy: { text: 'Restore Redis, or unset REDIS_CONN_STRING on every node (the relay then runs without Redis caches).' },
        }),
      );
    }
    if (snap.settings.redisSet && !snap.settings.secretKnown && snap.product.family === 'new-api') {
      out.push(
        finding('SECRET_EPHEMERAL', 'neither CRYPTO_SECRET nor SESSION_SECRET is set: Redis token keys are an HMAC with a random secret made at each start, so they change at every restart and differ per node', {
          evidence: { CRYPTO_SECRET: 'unset', SESSION_SECRET: 'unset', REDIS_CONN_STRING: 'set' },
          remedy: { text: 'Set CRYPTO_SECRET (or SESSION_SECRET) to the same value on every node, then restart them.' },
        }),
      );
    }
    return out;
  },
};
