import { STAGES, type Finding, type StageResult, type Verdict } from '../types.js';

// Which failure explains which later symptom: the explaining code outranks the symptom
// (contract: e.g. CACHE_STALE_TOKEN outranks GROUP_HAS_NO_CHANNEL computed from a stale view).
const EXPLAINS: Record<string, string[]> = {
  CACHE_STALE_TOKEN: ['GROUP_HAS_NO_CHANNEL', 'GROUP_NOT_USABLE', 'GROUP_NOT_IN_RATIO', 'TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED', 'TOKEN_MODEL_FORBIDDEN', 'NO_CHANNEL_FOR_MODEL', 'CHANNELS_ALL_DISABLED', 'CACHE_STALE_CHANNELS', 'RELAY_NODES_DISAGREE'],
  CACHE_STALE_USER: ['GROUP_HAS_NO_CHANNEL', 'USER_BANNED', 'GROUP_NOT_USABLE', 'NO_CHANNEL_FOR_MODEL', 'CACHE_STALE_CHANNELS', 'RELAY_NODES_DISAGREE'],
  AUTH_VERSION_FENCE: ['USER_MISSING'],
  OPTION_JSON_INVALID: ['GROUP_NOT_IN_RATIO', 'GROUP_NOT_USABLE', 'MODEL_PRICE_MISSING'],
  ABILITIES_OUT_OF_SYNC: ['GROUP_HAS_NO_CHANNEL', 'NO_CHANNEL_FOR_MODEL', 'CHANNELS_ALL_DISABLED'],
  ABILITY_DANGLING: ['GROUP_HAS_NO_CHANNEL'],
  CHANNEL_ROW_UNREADABLE: ['CACHE_STALE_CHANNELS'],
  // A node that routes differently from its peers is the stale one the per-node finding names.
  RELAY_NODES_DISAGREE: ['CACHE_STALE_CHANNELS'],
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

/**
 * An answer the verdict must agree with (the one the user saw, or --live's): the codes whose
 * failure can produce it, and those that cannot (a routing failure answers 503, never 500).
 */
export interface AnswerConstraint {
  source: 'seen' | 'live';
  status: number;
  consistent: string[];
  excluded: string[];
  /** The answer is an error the verdict must explain. */
  failure: boolean;
  summary: string;
}

/** The constraint a document's answer report carries (for callers that recompute the verdict). */
export function answerConstraint(r: { source: 'seen' | 'live'; status: number; consistent: string[]; excluded: string[]; failure: boolean; conclusion: string } | undefined): AnswerConstraint | undefined {
  return r ? { source: r.source, status: r.status, consistent: r.consistent, excluded: r.excluded, failure: r.failure, summary: r.conclusion } : undefined;
}

function agreeWith(ranked: Finding[], answer: AnswerConstraint): Verdict {
  const consistent = new Set(answer.consistent);
  const excluded = new Set(answer.excluded);
  const agree = ranked.filter((f) => consistent.has(f.code));
  const neutral = ranked.filter((f) => !consistent.has(f.code) && !excluded.has(f.code));
  const ex = ranked.filter((f) => excluded.has(f.code) && !consistent.has(f.code));
  const codes = [...new Set([...agree, ...neutral, ...ex].map((f) => f.code))];
  const who = answer.source === 'seen' ? `the ${answer.status} the user saw` : `the ${answer.status} --live got`;
  const primary = agree[0] ?? neutral[0];
  if (primary) {
    const reason = agree[0]
      ? `agrees with ${who}: ${answer.summary}`
      : `nothing found produces ${who} directly (${answer.summary}); ${primary.code} is the first failure that does not contradict it`;
    return { status: 'unhealthy', primary: { code: primary.code, stage: primary.stage, message: primary.message }, ranked: codes, reason: ex.length ? `${reason}. Not the cause of it: ${[...new Set(ex.map((f) => f.code))].join(', ')}` : reason };
  }
  if (ex.length) {
    // Failures exist (unhealthy, exit 1), but none of them caused this answer: no primary.
    return { status: 'unhealthy', ranked: codes, reason: `none of the failures found (${[...new Set(ex.map((f) => f.code))].join(', ')}) can produce ${who}, so none is blamed for it: ${answer.summary}` };
  }
  return { status: 'inconclusive', ranked: [], reason: `the database${answer.source === 'live' ? '' : ' and the relay'} show no failure, yet ${who}: ${answer.summary}` };
}

export function verdictOf(findings: Finding[], stages: StageResult[], requiredStages: string[] = [], answer?: AnswerConstraint): Verdict {
  const ranked = rankFailures(findings);
  if (answer?.failure) return agreeWith(ranked, answer);
  const codes = [...new Set(ranked.map((f) => f.code))];
  const errored = stages.filter((s) => s.status === 'error' || (requiredStages.includes(s.id) && s.status === 'skip'));
  const primary = ranked[0];
  if (primary) {
    return { status: 'unhealthy', primary: { code: primary.code, stage: primary.stage, message: primary.message }, ranked: codes };
  }
  if (errored.length) return { status: 'inconclusive', ranked: [], reason: `stage(s) ${errored.map((s) => s.id).join(', ')} could not run` };
  return { status: 'healthy', ranked: [] };
}
