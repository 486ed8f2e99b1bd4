import { decodeGo, type Body, type Flavor } from './route-body.js';

// Midjourney's routing model (mj_<action>, swap_face), read from the path and body.

function mjMode(p: string): string {
  const modes: [string, string][] = [
    ['/mj/submit/action', 'action'],
    ['/mj/submit/modal', 'MODAL'],
    ['/mj/submit/shorten', 'SHORTEN'],
    ['/mj/insight-face/swap', 'SWAP_FACE'],
    ['/submit/upload-discord-images', 'UPLOAD'],
    ['/mj/submit/imagine', 'IMAGINE'],
    ['/mj/submit/video', 'VIDEO'],
    ['/mj/submit/edits', 'EDITS'],
    ['/mj/submit/blend', 'BLEND'],
    ['/mj/submit/describe', 'DESCRIBE'],
    ['/mj/notify', 'notify'],
    ['/mj/submit/change', 'change'],
    ['/mj/submit/simple-change', 'change'], // Path2RelayModeMidjourney maps it to the change mode
    ['/fetch', 'fetch'],
    ['/image-seed', 'fetch'],
    ['/list-by-condition', 'fetch'],
  ];
  return modes.find(([suffix]) => p.endsWith(suffix))?.[1] ?? 'unknown';
}

export interface MjResult {
  selects: boolean;
  model: string;
  parseError?: string;
  mjError?: string;
  panic?: string;
}

const goAtoi = (s: string | undefined): boolean => s !== undefined && /^[+-]?\d+$/.test(s);

// service/midjourney.go GetMjRequestModel and CoverPlusActionToNormalAction.
export function midjourney(p: string, body: Body, flavor: Flavor): MjResult {
  const mode = mjMode(p);
  if (mode === 'fetch' || mode === 'notify') return { selects: false, model: '' };
  let req: Record<string, string> = {};
  if (body.isJson) {
    const parsed = body.parse();
    if (!parsed.ok) return { selects: true, model: '', parseError: parsed.error };
    const d = decodeGo(parsed.value, ['action', 'customId', 'content'], 'MidjourneyRequest', 'dto');
    if (d.error) return { selects: true, model: '', parseError: d.error };
    req = d.values;
  } else if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) {
    req = decodeGo(body.formValues(), ['action', 'customId', 'content'], 'MidjourneyRequest', 'dto').values;
  }
  let action = '';
  if (mode === 'action') {
    const customId = req.customId ?? '';
    if (!customId) return { selects: true, model: '', mjError: 'custom_id_is_required' };
    const s = customId.split('::');
    const at = (i: number): string | undefined => s[i];
    const oob = (i: number) => `runtime error: index out of range [${i}] with length ${s.length}`;
    if (s.length < 2) return { selects: true, model: '', panic: oob(1) };
    if (s[1] === 'JOB' && s.length < 3) return { selects: true, model: '', panic: oob(2) };
    const a = s[1] === 'JOB' ? at(2)! : at(1)!;
    action = req.action ?? '';
    if (a === '') return { selects: true, model: '', mjError: 'unknown_action' };
    const needIndex = (): MjResult | undefined => {
      if (s.length < 4) return { selects: true, model: '', panic: oob(3) };
      return goAtoi(at(3)) ? undefined : { selects: true, model: '', mjError: 'index_parse_failed' };
    };
    if (a.includes('upsample')) {
      const bad = needIndex();
      if (bad) return bad;
      action = 'UPSCALE';
    } else if (a.includes('variation')) {
      if (a === 'variation') {
        const bad = needIndex();
        if (bad) return bad;
        action = 'VARIATION';
      } else if (a === 'low_variation') action = 'LOW_VARIATION';
      else if (a === 'high_variation') action = 'HIGH_VARIATION';
    } else if (a.includes('pan')) action = 'PAN';
    else if (a.includes('reroll')) action = 'REROLL';
    else if (a === 'Outpaint') action = 'ZOOM';
    else if (a === 'CustomZoom') action = 'CUSTOM_ZOOM';
    else if (a === 'Inpaint') action = 'INPAINT';
    else return { selects: true, model: '', mjError: `unknown_action:${customId}` };
  } else if (mode === 'change') action = req.action ?? '';
  else if (mode === 'unknown') return { selects: true, model: '', mjError: 'unknown_relay_action' };
  else action = mode;
  return { selects: true, model: action === 'SWAP_FACE' ? 'swap_face' : `mj_${action.toLowerCase()}` };
}
