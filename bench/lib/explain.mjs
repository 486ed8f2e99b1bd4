// What diagnose asks the database: the statements of one traced run, each with the rows it
// returned, its time as the CLI saw it, and its EXPLAIN ANALYZE plan. Flags the statements that
// return more than ROW_LIMIT rows or read a large table whole (a sequential scan, or an index
// walk whose filter discards more than ROW_LIMIT rows).

import { client } from './pg.mjs';

export const ROW_LIMIT = 10_000;
/** Tables that grow with the relay's traffic or users: a sequential scan of them is flagged. */
export const LARGE_TABLES = ['tokens', 'logs'];

/** Walk a JSON plan; collect scans of the relay's tables (not the catalogs) with rows read and filtered out. */
function scans(plan, out = []) {
  const type = plan['Node Type'];
  const rel = plan['Relation Name'];
  if (rel && /Scan/.test(type) && !rel.startsWith('pg_')) {
    const loops = plan['Actual Loops'] ?? 1;
    out.push({ type, relation: rel, index: plan['Index Name'], rows: plan['Actual Rows'] * loops, removed: (plan['Rows Removed by Filter'] ?? 0) * loops });
  }
  for (const p of plan.Plans ?? []) scans(p, out);
  return out;
}

/** A readable form for the report: long column lists and IN lists folded. Never holds parameters. */
export function shortSql(sql) {
  let s = sql.replace(/\s+/g, ' ').trim();
  s = s.replace(/SELECT ((?:(?:[a-z]\.)?"?[a-z_]+"?(?: AS "?[a-z_]+"?)?|NULL AS "?[a-z_]+"?), ){6,}(?:(?:[a-z]\.)?"?[a-z_]+"?(?: AS "?[a-z_]+"?)?|NULL AS "?[a-z_]+"?) FROM/g, (m) => {
    const n = m.slice(7, -5).split(', ').length;
    return `SELECT ‹${n} columns› FROM`;
  });
  s = s.replace(/IN \((\$\d+)(?:,\s*\$\d+){3,}(?:,\s*(\$\d+))\)/g, (_m, a, b) => `IN (${a} … ${b})`);
  return s;
}

/** Custom plans print bound values (a token key among them): mask the secrets, fold long lines. */
function redactPlan(text, secrets) {
  let out = text;
  for (const sec of secrets) if (sec) out = out.split(sec).join('***');
  return out
    .split('\n')
    .map((l) => (l.length > 200 ? `${l.slice(0, 200)} …` : l))
    .join('\n');
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) every distinct statement of a trace, inside a read-only transaction
 * that is rolled back. Parameters come from the trace and are never returned.
 */
export async function explainTrace(url, statements, secrets = []) {
  const c = await client(url);
  const out = [];
  try {
    for (const st of statements) {
      const rec = { sql: shortSql(st.sql), rows: st.rows, ms: st.ms, error: st.error, scans: [], flags: [] };
      if (!st.error && /^\s*(SELECT|WITH)\b/i.test(st.sql) && !/^\s*SELECT 1 AS one\s*$/.test(st.sql)) {
        await c.query('BEGIN READ ONLY');
        try {
          const [{ 'QUERY PLAN': json }] = (await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${st.sql}`, st.params)).rows;
          rec.scans = scans(json[0].Plan);
          rec.execMs = json[0]['Execution Time'];
          const text = (await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${st.sql}`, st.params)).rows.map((r) => r['QUERY PLAN']);
          rec.plan = redactPlan(text.join('\n'), secrets);
        } finally {
          await c.query('ROLLBACK');
        }
      }
      if (rec.rows > ROW_LIMIT) rec.flags.push(`returns ${rec.rows} rows (> ${ROW_LIMIT})`);
      for (const s of rec.scans) {
        if (!LARGE_TABLES.includes(s.relation)) continue;
        if (/Seq Scan/.test(s.type)) rec.flags.push(`${s.type} on ${s.relation}`);
        // An index walked in key order with a filter reads the whole table as surely as a seq scan.
        else if (s.removed > ROW_LIMIT) rec.flags.push(`${s.type} on ${s.relation} filters out ${s.removed} rows (whole-table walk)`);
      }
      out.push(rec);
    }
  } finally {
    await c.end();
  }
  return out;
}
