// The manual checks an operator runs with psql: the seed runbook's query and the evidence
// queries of failure-modes.md F15, F20 and F23 (and the section 4 abilities diff), for the
// routing model runway and group default. Timed by psql's own \timing; results go to /dev/null.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.mjs';

export const RUNBOOK_QUERIES = [
  {
    id: 'runbook-channel-key',
    source: 'runwayml-500-troubleshooting.zh.md, test 2',
    what: 'the Bltcy channel row (#8) and its key',
    sql: 'SELECT key FROM channels WHERE id = 8;',
  },
  {
    id: 'token-by-key',
    source: 'failure-modes.md §3 (F9–F15 evidence)',
    what: 'token lookup by key joined to its user, with the using group',
    sql: `SELECT t.id, t.name, t.status, t.expired_time, t.remain_quota, t.unlimited_quota,
       t."group" AS token_group, t.model_limits_enabled, t.model_limits, t.allow_ips,
       t.deleted_at AS token_deleted_at,
       u.id AS user_id, u.role, u.status AS user_status, u."group" AS user_group,
       u.deleted_at AS user_deleted_at,
       COALESCE(NULLIF(t."group", ''), u."group") AS using_group
FROM tokens t LEFT JOIN users u ON u.id = t.user_id
WHERE t."key" = :'rawkey';`,
  },
  {
    id: 'f15-population',
    source: 'failure-modes.md F15',
    what: "owner groups of the tokens with group ''",
    sql: `SELECT u."group", count(*) FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.deleted_at IS NULL AND t."group" = '' GROUP BY 1;`,
  },
  {
    id: 'f20-channels-listing-runway',
    source: 'failure-modes.md §4 / F20',
    what: 'channels listing runway, with their groups',
    sql: `SELECT id, name, type, status, priority, weight, (base_url IS NULL) AS base_url_null,
       base_url, "group", models, other_info
FROM channels
WHERE 'runway' = ANY (string_to_array(models, ','))
ORDER BY status, priority DESC;`,
  },
  {
    id: 'f20-runway-in-default',
    source: 'failure-modes.md §4 / F20',
    what: 'enabled channels listing runway in group default',
    sql: `SELECT id FROM channels
WHERE status = 1
  AND 'runway' = ANY (string_to_array(models, ','))
  AND 'default' = ANY (string_to_array("group", ','));`,
  },
  {
    id: 'abilities-default-runway',
    source: 'failure-modes.md §4',
    what: 'abilities for (default, runway) with the live channel status',
    sql: `SELECT a.*, c.status AS channel_status
FROM abilities a LEFT JOIN channels c ON c.id = a.channel_id
WHERE a."group" = 'default' AND a.model = 'runway';`,
  },
  {
    id: 'f23-missing-group',
    source: 'failure-modes.md F23',
    what: 'enabled channel groups absent from abilities (nil-map panic risk)',
    sql: `SELECT c.id, c.name, g AS missing_group
FROM channels c, unnest(string_to_array(c."group", ',')) AS g
WHERE c.status = 1
  AND g NOT IN (SELECT DISTINCT "group" FROM abilities);`,
  },
  {
    id: 'abilities-diff',
    source: 'failure-modes.md §4 (F22, F25)',
    what: 'expected versus actual abilities, whole relay',
    sql: `WITH expected AS (
  SELECT c.id AS channel_id, g AS grp, m AS model, (c.status = 1) AS enabled,
         COALESCE(c.priority, 0) AS priority, COALESCE(c.weight, 0) AS weight
  FROM channels c,
       unnest(string_to_array(c."group", ',')) AS g,
       unnest(string_to_array(c.models, ',')) AS m
)
SELECT 'missing' AS kind, e.channel_id, e.grp, e.model FROM expected e
  LEFT JOIN abilities a ON a.channel_id = e.channel_id AND a."group" = e.grp AND a.model = e.model
  WHERE a.channel_id IS NULL
UNION ALL
SELECT 'extra', a.channel_id, a."group", a.model FROM abilities a
  LEFT JOIN expected e ON e.channel_id = a.channel_id AND e.grp = a."group" AND e.model = a.model
  WHERE e.channel_id IS NULL
UNION ALL
SELECT 'differs', e.channel_id, e.grp, e.model FROM expected e
  JOIN abilities a ON a.channel_id = e.channel_id AND a."group" = e.grp AND a.model = e.model
  WHERE a.enabled <> e.enabled OR a.priority IS NULL OR a.priority <> e.priority
     OR a.weight <> e.weight;`,
  },
];

function psql(url, file, rawKey) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `rawkey=${rawKey}`, '-d', url, '-f', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`psql exited ${code}: ${err.split(rawKey).join('***').trim().split('\n')[0]}`));
      // Only the \timing lines are read: the results (a channel key among them) go to /dev/null.
      const times = [...out.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
      resolve({ wallMs, times });
    });
  });
}

/** Run every runbook query `runs` times in one psql session each; per-query median/max and the session wall time. */
export async function timeRunbook(url, rawKey, runs) {
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-psql-'));
  try {
    const file = join(dir, 'runbook.sql');
    writeFileSync(file, ['\\timing on', '\\o /dev/null', ...RUNBOOK_QUERIES.map((q) => q.sql)].join('\n') + '\n', { mode: 0o600 });
    const sessions = [];
    for (let i = 0; i < runs; i++) sessions.push(await psql(url, file, rawKey));
    for (const s of sessions) {
      if (s.times.length !== RUNBOOK_QUERIES.length) throw new Error(`psql reported ${s.times.length} timings for ${RUNBOOK_QUERIES.length} queries`);
    }
    const perQuery = RUNBOOK_QUERIES.map((q, i) => {
      const xs = sessions.map((s) => s.times[i]);
      return { ...q, medianMs: median(xs), maxMs: Math.max(...xs) };
    });
    const walls = sessions.map((s) => s.wallMs);
    const sums = sessions.map((s) => s.times.reduce((a, b) => a + b, 0));
    return { perQuery, wallMedianMs: median(walls), wallMaxMs: Math.max(...walls), sumMedianMs: median(sums), runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
