import { describeModelSource } from '../../relay/routes.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const modelResolve: Check = {
  id: 'route/model-resolve',
  stage: 'route',
  scope: 'target',
  codes: ['MODEL_UNRESOLVED'],
  description: 'the routing model can be derived the way Distribute derives it',
  run({ snap, target }) {
    const r = target.route;
    if (!r?.matched || !r.selectsChannel) return [];
    if (target.model !== undefined && !r.modelProblem) return [];
    // --model without --body: the user tells us the model the real body carries.
    if (target.modelFrom === '--model' && !snap.run.target.body) return [];
    const answer = r.modelProblem ? `; the relay answers ${r.problemStatus ?? 400} ${r.modelProblem}` : '';
    return [
      finding('MODEL_UNRESOLVED', `${target.method} ${target.path}: the route selects channels by ${describeModelSource(r.modelSource)}, and ${r.model === undefined ? 'none can be derived from this request' : 'the request cannot be read'}${answer}`, {
        evidence: { modelSource: r.modelSource.kind, handler: r.matched.handler, ...(r.problemVariants ? { variants: r.problemVariants } : {}) },
        remedy: {
          text: 'Send the model the route reads (the JSON body\'s "model" with Content-Type: application/json, or the form field for multipart), or diagnose with --model.',
        },
      }),
    ];
  },
};
