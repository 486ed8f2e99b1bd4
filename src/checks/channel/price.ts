import { boolOption, numberMap } from '../../relay/options.js';
import { normalizeModelName } from '../../relay/models.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const modelPrice: Check = {
  id: 'channel/model-price',
  stage: 'channel',
  scope: 'target',
  codes: ['MODEL_PRICE_MISSING', 'PASSTHROUGH_BILLS_FAILURES'],
  description: 'the billing model has a price the way the relay looks it up',
  run({ snap, target }) {
    const model = target.model;
    if (!model || !target.channels.length || snap.product.family === 'one-api') return [];
    const passthrough = Boolean(target.passthrough) && snap.product.product === 'bltcy';
    const price = numberMap(snap.options, 'ModelPrice');
    const out = [];
    if (passthrough) {
      // The passthrough prices from ModelPrice only; /runway/* JSON requests bill as the routing model.
      if (!((price[model] ?? 0) > 0)) {
        out.push(
          finding('MODEL_PRICE_MISSING', `ModelPrice has no price for "${model}", the model the passthrough bills this route as: every call is charged the flat base quota (passthrough_quota, default 1000 × group ratio × channel ratio), whatever the body's model says`, {
            subject: { model },
            evidence: { billingModel: model, modelPrice: price[model] ?? null },
            remedy: { text: `Add "${model}" to ModelPrice in USD per call (the relay uses 500 000 quota per USD), or set passthrough_quota in the channel setting.` },
          }),
        );
      }
      if (target.method !== 'GET' && !target.path?.includes('/feed')) {
        out.push(finding('PASSTHROUGH_BILLS_FAILURES', 'the passthrough charges this request after reading the upstream body, whatever the upstream status (4xx and 5xx included)', { subject: { model }, evidence: { method: target.method } }));
      }
      return out;
    }
    if (boolOption(snap.options, 'SelfUseModeEnabled')) return [];
    const n = normalizeModelName(model, snap.product.build);
    const hasRatio = snap.options.has('ModelRatio');
    const ratio = numberMap(snap.options, 'ModelRatio');
    if (n in price || n in ratio) return [];
    if (!hasRatio && !snap.options.has('ModelPrice')) return []; // built-in tables apply; we cannot see them
    return [
      finding('MODEL_PRICE_MISSING', `neither ModelPrice nor ModelRatio has "${n}": ${snap.product.build === 'NA-main' ? 'the relay answers 400' : 'the relay answers 500'} model_price_error after selecting a channel`, {
        subject: { model: n },
        evidence: { model: n, selfUseMode: false },
        remedy: { text: `Price "${n}" in the admin settings (ModelRatio or ModelPrice), or enable self-use mode.` },
      }),
    ];
  },
};
