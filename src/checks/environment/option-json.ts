import { dialectFor } from '../../db/dialect.js';
import { JSON_OPTIONS, parseOption } from '../../relay/options.js';
import { selectOptionSql } from '../../remedies/commands.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

const EFFECT: Record<string, string> = {
  GroupRatio: 'every token with a group is refused with 403 "分组 … 已被弃用"',
  UserUsableGroups: 'token groups are refused with 403 (not usable)',
  AutoGroups: 'tokens in group auto get 503 (auto groups is not enabled)',
  ModelPrice: 'fixed prices vanish: passthrough calls fall back to the flat base quota',
  ModelRatio: 'ratios vanish: normal routes answer 500 model_price_error',
};

export const optionJson: Check = {
  id: 'environment/option-json',
  stage: 'environment',
  scope: 'relay',
  codes: ['OPTION_JSON_INVALID'],
  description: 'options the relay decodes as JSON maps are valid JSON of the right shape',
  run({ snap }) {
    const out = [];
    for (const key of Object.keys(JSON_OPTIONS)) {
      if (!snap.options.has(key)) continue;
      const p = parseOption(snap.options, key);
      if (!p.problem) continue;
      const d = dialectFor(snap.db.engine);
      out.push(
        finding('OPTION_JSON_INVALID', `option ${key} is ${p.problem}: the relay ${p.problem.startsWith('not valid') ? 'empties' : 'only partly fills'} that map${EFFECT[key] ? `, so ${EFFECT[key]}` : ''}`, {
          subject: { option: key },
          evidence: { option: key, problem: p.problem, excerpt: (p.raw ?? '').slice(0, 120), keptEntries: Object.keys(p.value as object).length },
          remedy: {
            text: `Repair the JSON of ${key} in the admin settings (or the options table); every node picks it up within SYNC_FREQUENCY (${snap.settings.syncFrequency} s).`,
            commands: [selectOptionSql(d, key)],
          },
        }),
      );
    }
    return out;
  },
};
