import { parseRelayDsn } from '../../context/dsn.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const dsnRules: Check = {
  id: 'environment/dsn',
  stage: 'environment',
  scope: 'relay',
  codes: ['DSN_MISPARSED'],
  description: "the relay's SQL_DSN selects the engine the operator intended",
  run({ snap }) {
    const env = snap.run.env.values;
    if (!env.SQL_DSN) return [];
    let misparse: string | undefined;
    try {
      misparse = parseRelayDsn(env.SQL_DSN, env.SQLITE_PATH, snap.product.product, snap.run.cwd).facts.misparse;
    } catch (err) {
      misparse = (err as Error).message;
    }
    if (!misparse) return [];
    return [
      finding('DSN_MISPARSED', `the relay cannot use its SQL_DSN as written: ${misparse}`, {
        evidence: { source: snap.run.env.sources.SQL_DSN, product: snap.product.product },
        remedy: { text: 'Rewrite SQL_DSN in the form the relay accepts: postgres://user:pass@host:5432/db, or user:pass@tcp(host:3306)/db for MySQL.' },
      }),
    ];
  },
};
