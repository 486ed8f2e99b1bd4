// Preloaded with `node --import` into one CLI run: records every statement sent through a pg
// Pool (the Db driver's only path for reads) with its row count and time, and writes them to
// RD_BENCH_TRACE at exit. The file holds the parameters (for EXPLAIN), so it may hold a token
// key: the bench writes it into a private temp directory and deletes it after reading.

import { writeFileSync } from 'node:fs';
import pg from 'pg';

const out = process.env.RD_BENCH_TRACE;
const seen = [];
const t0 = performance.now();
const original = pg.Pool.prototype.query;

pg.Pool.prototype.query = function traced(text, values, cb) {
  if (typeof values === 'function' || typeof cb === 'function' || typeof text !== 'string') return original.call(this, text, values, cb);
  const rec = { sql: text, params: values ?? [], startMs: performance.now() - t0 };
  seen.push(rec);
  const p = original.call(this, text, values);
  return p.then(
    (res) => {
      rec.ms = performance.now() - t0 - rec.startMs;
      rec.rows = Array.isArray(res) ? res.reduce((n, r) => n + (r.rows?.length ?? 0), 0) : (res.rows?.length ?? 0);
      return res;
    },
    (err) => {
      rec.ms = performance.now() - t0 - rec.startMs;
      rec.error = String(err?.code ?? err?.message ?? err);
      throw err;
    },
  );
};

process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify(seen), { mode: 0o600 });
});
