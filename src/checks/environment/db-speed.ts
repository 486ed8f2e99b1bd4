import type { Check } from '../types.js';
import { finding } from '../report.js';

export const SLOW_MS = 1000;

export const dbSpeed: Check = {
  id: 'environment/db-speed',
  stage: 'environment',
  scope: 'relay',
  codes: ['DB_SLOW'],
  description: 'connecting to the database and a trivial query stay under 1 s',
  run({ snap }) {
    const { connectMs, pingMs } = snap.db;
    const limit = snap.run.config.thresholds?.dbSlowMs ?? SLOW_MS;
    if (connectMs < limit && pingMs < limit) return [];
    return [
      finding('DB_SLOW', `the database is slow: connecting took ${connectMs} ms, SELECT 1 took ${pingMs} ms (threshold ${limit} ms)`, {
        evidence: { connectMs, pingMs, thresholdMs: limit, database: snap.db.redacted },
        remedy: {
          text: 'Every token lookup and the passthrough\'s channel re-read wait on this database. Move the relay next to its database, resume a paused instance, or tune the pool (SQL_MAX_IDLE_CONNS, SQL_MAX_OPEN_CONNS, SQL_MAX_LIFETIME).',
        },
      }),
    ];
  },
};
