import { STAGES, type Finding, type StageResult, type Verdict } from '../types.js';

// Which failure explains which later symptom: the explaining code outranks the symptom
// (contract: e.g. CACHE_STALE_TOKEN outranks GROUP_HAS_NO_CHANNEL computed from a stale view).
const EXPLAINS: Record<string, string[]> = {
  CACHE_STALE_TOKEN: ['GROUP_HAS_NO_CHANNEL', 'GROUP_NOT_USABLE', 'GROUP_NOT_IN_RATIO', 'TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED', 'TOKEN_MODEL_FORBIDDEN', 'NO_CHANNEL_FOR_MODEL', 'CHANNELS_ALL_DISABLED'],
  CACHE_STALE_USER: ['GROUP_HAS_NO_CHANNEL', 'USER_BANNED', 'GROUP_NOT_USABLE', 'NO_CHANNEL_FOR_MODEL'],
  AUTH_VERSION_FENCE: ['USER_MISSING'],
  OPTION_JSON_INVALID: ['GROUP_NOT_IN_RATIO', 'GROUP_NOT_USABLE', 'MODEL_PRICE_MISSING'],
  ABILITIES_OUT_OF_SYNC: ['GROUP_HAS_NO_CHANNEL', 'NO_CHANNEL_FOR_MODEL', 'CHANNELS_ALL_DISABLED'],
  ABILITY_DANGLING: ['GROUP_HAS_NO_CHANNEL'],
  CHANNEL_ROW_UNREADABLE: ['CACHE_STALE_CHANNELS'],
};

/** Fail findings, most likely cause first: stage order, then explaining codes before their symptoms. */
export function rankFailures(findings: Finding[]): Finding[] {
  const fails = findings.filter((f) => f.status === 'fail');
  const order = (f: Finding) => STAGES.indexOf(f.stage);
  const sorted = [...fails].sort((a, b) => order(a) - order(b));
  // Move an explaining finding in front of the first symptom it explains.
  for (const [cause, symptoms] of Object.entries(EXPLAINS)) {
    const ci = sorted.findIndex((f) => f.code === cause);
    if (ci < 0) continue;
    const si = sorted.findIndex((f) => symptoms.includes(f.code));
    if (si >= 0 && si < ci) {
      const [c] = sorted.splice(ci, 1);
      sorted.splice(si, 0, c!);
    }
  }
  return sorted;
}

export function verdictOf(findings: Finding[], stages: StageResult[], requiredStages: string[] = []): Verdict {
  const ranked = rankFailures(findings);
  const codes = [...new Set(ranked.map((f) => f.code))];
  const errored = stages.filter((s) => s.status === 'error' || (requiredStages.includes(s.id) && s.status === 'skip'));
  const primary = ranked[0];
  if (primary) {
    return { status: 'unhealthy', primary: { code: primary.code, stage: primary.stage, message: primary.message }, ranked: codes };
  }
  if (errored.length) return { status: 'inconclusive', ranked: [], reason: `stage(s) ${errored.map((s) => s.id).join(', ')} could not run` };
  return { status: 'healthy', ranked: [] };
}
