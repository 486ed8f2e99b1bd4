import type { Build } from './product.js';
import type { OptionMap, TokenRow, UserRow } from './model.js';
import { numberMap, parseOption, stringMap } from './options.js';
import { splitList } from './lists.js';

// TokenAuth (RB §6): key parsing, the check order, and the using group.

export interface ParsedKey {
  /** parts[0]: what the relay looks up in tokens.key. */
  lookup: string;
  /** parts[1]: a channel pin, allowed only for admins. */
  pin?: string;
  /** Extra parts after the pin are ignored by the relay. */
  hadPrefix: boolean;
}

export function parseTokenKey(given: string): ParsedKey {
  let k = given.trim();
  if (k.toLowerCase().startsWith('bearer ')) k = k.slice(7).trim();
  const hadPrefix = k.startsWith('sk-');
  if (hadPrefix) k = k.slice(3);
  const parts = k.split('-');
  return { lookup: parts[0] ?? '', pin: parts.length > 1 ? parts[1] : undefined, hadPrefix };
}

/** A stored key that parseTokenKey can never yield (RB §6.2). */
export function storedKeyUnusable(stored: string): string | undefined {
  if (stored.startsWith('sk-')) return 'the stored key starts with sk-: the relay strips that prefix from the caller key, so it never matches';
  if (stored.includes('-')) return "the stored key contains '-': the relay cuts the caller key at the first '-', so it never matches";
  return undefined;
}

export type TokenProblem =
  | { code: 'TOKEN_DISABLED'; detail: string }
  | { code: 'TOKEN_EXPIRED'; detail: string }
  | { code: 'TOKEN_EXHAUSTED'; detail: string };

const TOKEN_STATUS: Record<number, string> = { 1: 'enabled', 2: 'disabled', 3: 'expired', 4: 'exhausted' };

export function tokenStatusName(s: number): string {
  return TOKEN_STATUS[s] ?? `unknown (${s})`;
}

/** The token checks in the relay's order (status, expiry, quota); the first failure answers. */
export function tokenProblems(t: TokenRow, now: number): TokenProblem[] {
  const out: TokenProblem[] = [];
  if (t.status === 4) out.push({ code: 'TOKEN_EXHAUSTED', detail: 'status is 4 (exhausted)' });
  else if (t.status === 3) out.push({ code: 'TOKEN_EXPIRED', detail: 'status is 3 (expired)' });
  else if (t.status !== 1) out.push({ code: 'TOKEN_DISABLED', detail: `status is ${t.status} (${tokenStatusName(t.status)})` });
  if (t.expiredTime !== -1 && t.expiredTime < now) out.push({ code: 'TOKEN_EXPIRED', detail: `expired_time ${t.expiredTime} is in the past` });
  if (!t.unlimitedQuota && t.remainQuota <= 0) out.push({ code: 'TOKEN_EXHAUSTED', detail: `remain_quota is ${t.remainQuota} and the quota is not unlimited` });
  return out;
}

/** GetUserUsableGroups (RB §6.4): UserUsableGroups + the user's own group (+ default when empty). */
export function usableGroups(options: OptionMap, userGroup: string, build: Build): Map<string, string> {
  const groups = new Map(Object.entries(stringMap(options, 'UserUsableGroups')));
  if (userGroup === '') groups.set('default', 'default');
  else groups.set(userGroup, 'user group');
  if (build === 'NA-main' || build === 'NA-0.9.16') {
    const special = parseOption(options, 'group_ratio_setting.group_special_usable_group').value as Record<string, Record<string, string>>;
    for (const [k, desc] of Object.entries(special?.[userGroup] ?? {})) {
      if (k.startsWith('-:')) groups.delete(k.slice(2));
      else if (k.startsWith('+:')) groups.set(k.slice(2), desc);
      else groups.set(k, desc);
    }
  }
  return groups;
}

export interface UsingGroup {
  group: string;
  from: 'token' | 'user';
  /** Set when TokenAuth refuses the token group. */
  refused?: { code: 'GROUP_NOT_USABLE' | 'GROUP_NOT_IN_RATIO'; detail: string };
}

export function usingGroup(token: Pick<TokenRow, 'group'>, user: Pick<UserRow, 'group'>, options: OptionMap, build: Build, family: 'new-api' | 'one-api'): UsingGroup {
  const userGroup = user.group ?? '';
  if (family === 'one-api' || !token.group) return { group: userGroup, from: 'user' };
  const g = token.group;
  const usable = usableGroups(options, userGroup, build);
  if (!usable.has(g)) {
    return { group: g, from: 'token', refused: { code: 'GROUP_NOT_USABLE', detail: `"${g}" is not among the user's usable groups (${[...usable.keys()].map((x) => JSON.stringify(x)).join(', ')})` } };
  }
  if (g !== 'auto' && !(g in numberMap(options, 'GroupRatio'))) {
    return { group: g, from: 'token', refused: { code: 'GROUP_NOT_IN_RATIO', detail: `"${g}" is not a key of GroupRatio` } };
  }
  return { group: g, from: 'token' };
}

/** The relay's 403 text for an unusable token group, per build (RB §6.4). */
export function groupRefusalMessage(code: 'GROUP_NOT_USABLE' | 'GROUP_NOT_IN_RATIO', group: string, build: Build): string {
  if (code === 'GROUP_NOT_IN_RATIO') return `分组 ${group} 已被弃用`;
  return build === 'NA-main' ? `无权访问 ${group} 分组` : `令牌分组 ${group} 已被禁用`;
}

/** Model limits (RB §6.6): untrimmed list must contain the normalised routing model. */
export function modelAllowed(t: Pick<TokenRow, 'modelLimitsEnabled' | 'modelLimits' | 'models'>, model: string, family: 'new-api' | 'one-api'): { allowed: boolean; detail?: string } {
  if (family === 'one-api') {
    if (!t.models) return { allowed: true };
    const list = splitList(t.models);
    return list.includes(model) ? { allowed: true } : { allowed: false, detail: `tokens.models is "${t.models}"` };
  }
  if (!t.modelLimitsEnabled) return { allowed: true };
  const limits = t.modelLimits ?? '';
  if (limits === '') return { allowed: false, detail: 'model limits are on and the list is empty: the token may use no model' };
  const list = splitList(limits);
  if (list.includes(model)) return { allowed: true };
  const padded = list.find((m) => m.trim() === model);
  return { allowed: false, detail: padded !== undefined ? `the list has ${JSON.stringify(padded)}, not "${model}" (the relay does not trim)` : `model_limits is "${limits}"` };
}

/** BF and NA-0.9.x drop CIDR entries and compare exact IPs (RB §6.5). */
export function ipAllowList(allowIps: string | null, build: Build): { entries: string[]; ignoredCidrs: string[] } {
  const text = (allowIps ?? '').replace(/ /g, '');
  const lines = text.split('\n').map((l) => l.replace(/,/g, '')).filter(Boolean);
  if (build === 'NA-main') return { entries: lines, ignoredCidrs: [] };
  const ip = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)$/;
  return { entries: lines.filter((l) => ip.test(l)), ignoredCidrs: lines.filter((l) => l.includes('/')) };
}
