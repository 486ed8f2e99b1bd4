import { modelAllowed } from '../../relay/token.js';
import { normalizeModelName } from '../../relay/models.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const tokenModels: Check = {
  id: 'token/token-models',
  stage: 'token',
  scope: 'target',
  codes: ['TOKEN_MODEL_FORBIDDEN'],
  description: "the token's model limits include the routing model (untrimmed, normalised)",
  run({ snap, target }) {
    const t = target.token?.token;
    if (!t || t.deleted || target.model === undefined) return [];
    if (target.token?.parsed?.pin !== undefined) return []; // pinned requests skip the check
    const model = snap.product.build === 'NA-2504' ? target.model : normalizeModelName(target.model, snap.product.build);
    const r = modelAllowed(t, model, snap.product.family);
    if (r.allowed) return [];
    return [
      finding('TOKEN_MODEL_FORBIDDEN', `token #${t.id} may not use model "${model}": ${r.detail}; the relay answers 403 该令牌无权访问模型 ${model}${target.passthrough ? ' (on passthrough routes the relay checks the routing model of the path, not the model in the body)' : ''}`, {
        subject: { tokenId: t.id, model },
        evidence: { modelLimitsEnabled: t.modelLimitsEnabled, modelLimits: t.modelLimits ?? t.models ?? '' },
        remedy: {
          text: `Add "${model}" exactly (no spaces) to the token's model limits, or turn the limits off.${target.passthrough ? ' On passthrough routes the checked name is the routing model of the path, not the model in the body.' : ''}`,
        },
      }),
    ];
  },
};
