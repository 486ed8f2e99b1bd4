import type { ChannelRow } from '../../relay/model.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

const FIELDS: { column: string; get: (c: ChannelRow) => string | null; effect: string }[] = [
  { column: 'model_mapping', get: (c) => c.modelMapping, effect: '500 channel:model_mapped_error (unmarshal_model_mapping_failed), counted as a channel error: retried and possibly auto-disabled' },
  { column: 'status_code_mapping', get: (c) => c.statusCodeMapping, effect: 'silently ignored' },
  { column: 'setting', get: (c) => c.setting, effect: 'logged, set to NULL and the whole cached channel object saved back, which can overwrite recent SQL edits of this row' },
  { column: 'settings', get: (c) => c.settings, effect: 'replaced by {} and saved' },
  { column: 'param_override', get: (c) => c.paramOverride, effect: 'ignored with a log line (NA-2504: 500 param_override_unmarshal_failed)' },
  { column: 'header_override', get: (c) => c.headerOverride, effect: 'ignored with a log line' },
];

function mappingCycle(map: Record<string, unknown>): string | undefined {
  for (const start of Object.keys(map)) {
    const seen = new Set([start]);
    let cur = map[start];
    while (typeof cur === 'string' && cur in map) {
      if (seen.has(cur)) return [...seen, cur].join(' → ');
      seen.add(cur);
      cur = map[cur];
    }
  }
  return undefined;
}

export const jsonFields: Check = {
  id: 'channel/json-fields',
  stage: 'channel',
  scope: 'target',
  codes: ['CHANNEL_JSON_INVALID', 'STATUS_CODE_MAPPED_TO_5XX'],
  description: "the selected channel's JSON columns parse, and no mapping turns upstream 4xx into 5xx",
  run({ target }) {
    const out = [];
    const passthrough = Boolean(target.passthrough);
    for (const c of target.channels) {
      const subject = { channelId: c.id };
      for (const f of FIELDS) {
        const raw = f.get(c);
        if (raw === null || raw.trim() === '') continue;
        // The passthrough reads only `setting`; other columns matter on normal routes.
        const matters = !passthrough || f.column === 'setting';
        let v: unknown;
        try {
          v = JSON.parse(raw);
        } catch (err) {
          out.push(
            finding('CHANNEL_JSON_INVALID', `channel #${c.id} ${f.column} is not valid JSON (${(err as Error).message}): ${f.effect}`, {
              status: matters ? 'fail' : 'warn',
              subject: { ...subject, column: f.column },
              evidence: { column: f.column, excerpt: raw.slice(0, 80), usedByThisRoute: matters },
              remedy: { text: `Repair ${f.column} through the admin UI.` },
            }),
          );
          continue;
        }
        if (f.column === 'model_mapping' && v && typeof v === 'object' && !passthrough) {
          const cyc = mappingCycle(v as Record<string, unknown>);
          if (cyc) out.push(finding('CHANNEL_JSON_INVALID', `channel #${c.id} model_mapping has a cycle (${cyc}): 500 model_mapping_contains_cycle`, { subject: { ...subject, column: f.column }, evidence: { cycle: cyc }, remedy: { text: 'Break the cycle in model_mapping.' } }));
        }
        if (f.column === 'status_code_mapping' && v && typeof v === 'object' && !passthrough) {
          const bad = Object.entries(v as Record<string, unknown>).filter(([from, to]) => Number(from) < 500 && Number(to) >= 500);
          if (bad.length) {
            out.push(
              finding('STATUS_CODE_MAPPED_TO_5XX', `channel #${c.id} status_code_mapping turns upstream ${bad.map(([a, b]) => `${a} into ${b}`).join(', ')}: upstream validation or quota errors look like gateway 5xx`, {
                subject,
                evidence: { mapping: v },
                remedy: { text: 'Remove these entries unless the 5xx is intended.' },
              }),
            );
          }
        }
      }
    }
    return out;
  },
};
