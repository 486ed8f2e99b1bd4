import { describe } from 'vitest';
import { dbSpeed } from '../../../src/checks/environment/db-speed.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('environment/db-speed', () => {
  checkTester(dbSpeed, [
    { name: 'fast database: nothing', snap: snapshot({ db: { connectMs: 40, pingMs: 2 } }), expect: [] },
    { name: 'slow connect warns', snap: snapshot({ db: { connectMs: 1500, pingMs: 2 } }), expect: [{ code: 'DB_SLOW', status: 'warn', match: /1500 ms/ }] },
    {
      name: 'the config file sets the threshold',
      snap: (() => {
        const s = snapshot({ db: { connectMs: 300, pingMs: 2 } });
        return { ...s, run: { ...s.run, config: { thresholds: { dbSlowMs: 200 } } } };
      })(),
      expect: [{ code: 'DB_SLOW', match: /threshold 200 ms/ }],
    },
    { name: 'slow SELECT 1 warns', snap: snapshot({ db: { connectMs: 10, pingMs: 1200 } }), expect: [{ code: 'DB_SLOW', status: 'warn', match: /SELECT 1 took 1200 ms/ }] },
  ]);
});
