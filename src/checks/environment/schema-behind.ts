import { has } from '../../data/schema.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// Columns new-api adds by date (RB §1.2). A node whose build is newer than the date of a column
// the schema lacks queries a column that does not exist: SQL errors and 500s on that node.
const COLUMNS: { table: string; column: string; since: string }[] = [
  { table: 'channels', column: 'channel_info', since: '2025-06-16' },
  { table: 'channels', column: 'header_override', since: '2025-08-24' },
  { table: 'channels', column: 'remark', since: '2025-09-01' },
  { table: 'channels', column: 'settings', since: '2025-09-12' },
  { table: 'users', column: 'discord_id', since: '2025-11-22' },
  { table: 'tokens', column: 'cross_group_retry', since: '2025-12-12' },
  { table: 'logs', column: 'request_id', since: '2026-02-04' },
  { table: 'users', column: 'created_at', since: '2026-04-25' },
  { table: 'logs', column: 'upstream_request_id', since: '2026-05-12' },
  { table: 'users', column: 'auth_version', since: '2026-07-20' },
  { table: 'tokens', column: 'auto_groups', since: '2026-08-01' },
];

/** The earliest code date a node's /api/status proves (new-api only: BF reports no version). */
export function buildFloor(version: string | undefined, headerVersion: string | undefined): { date: string; why: string } | undefined {
  if (headerVersion) return { date: '2026-01-30', why: `it sends X-New-Api-Version ${headerVersion} (new-api ≥ 2026-01-30)` };
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return undefined;
  const [maj, min, pat] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (maj > 0 || min > 9 || (min === 9 && pat >= 16)) return { date: '2025-11-04', why: `it reports version ${version} (v0.9.16 is of 2025-11-04)` };
  return undefined;
}

export const schemaBehind: Check = {
  id: 'environment/schema-behind',
  stage: 'environment',
  scope: 'relay',
  codes: ['SCHEMA_BEHIND_CODE'],
  description: "the schema has every column the running build's code queries",
  run({ snap }) {
    if (snap.product.family !== 'new-api') return [];
    const out = [];
    for (const node of snap.live?.relay?.nodes ?? []) {
      const st = node.statusStart;
      const floor = buildFloor(st.version, st.headerVersion);
      if (!floor) continue;
      const missing = COLUMNS.filter((c) => c.since <= floor.date && has(snap.schema, c.table) && !has(snap.schema, c.table, c.column));
      if (!missing.length) continue;
      const slave = snap.settings.nodeType === 'slave';
      out.push(
        finding('SCHEMA_BEHIND_CODE', `${node.label} runs code of ${floor.date} or later (${floor.why}), but the database lacks ${missing.map((c) => `${c.table}.${c.column}`).join(', ')}: that node queries columns that do not exist and answers SQL errors (500)`, {
          subject: { node: node.label },
          evidence: { node: node.label, version: st.version ?? null, headerVersion: st.headerVersion ?? null, missing: missing.map((c) => ({ column: `${c.table}.${c.column}`, since: c.since })), nodeType: snap.settings.nodeType },
          remedy: {
            text: slave
              ? 'Migrations run only on the master (NODE_TYPE is slave here): upgrade and start the master first, then the slaves.'
              : 'Start the new build on the master node (NODE_TYPE not slave) so its migration adds the columns, before slave nodes run it.',
          },
        }),
      );
    }
    return out;
  },
};
