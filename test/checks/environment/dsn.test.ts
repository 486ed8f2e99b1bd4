import { describe } from 'vitest';
import { dsnRules } from '../../../src/checks/environment/dsn.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('environment/dsn', () => {
  checkTester(dsnRules, [
    { name: 'no SQL_DSN: SQLite, nothing to say', snap: snapshot(), expect: [] },
    { name: 'postgresql:// on new-api is fine', snap: snapshot({ env: { SQL_DSN: 'postgresql://u:p@db:5432/x' } }), expect: [] },
    { name: 'postgresql:// on one-api is misparsed', snap: snapshot({ product: 'one-api', env: { SQL_DSN: 'postgresql://u:p@db:5432/x' } }), expect: [{ code: 'DSN_MISPARSED', status: 'fail', match: /postgres:\/\/ prefix/ }] },
    { name: 'mysql:// URL is not a go-sql-driver DSN', snap: snapshot({ env: { SQL_DSN: 'mysql://root:pw@db:3306/oneapi' } }), expect: [{ code: 'DSN_MISPARSED', match: /tcp\(host:3306\)/ }] },
    { name: 'Go MySQL DSN is fine', snap: snapshot({ env: { SQL_DSN: 'root:pw@tcp(db:3306)/oneapi?charset=utf8mb4' } }), expect: [] },
  ]);
});
