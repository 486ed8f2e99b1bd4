// The option maps the relay keeps in memory (RB §13), reloaded from the options table on each sync.
// JSON maps are replaced, not merged: invalid JSON leaves a map empty, a wrong value type drops
// that entry, like Go's json.Unmarshal into a cleared map.

import type { SandboxProduct } from './types.js';

export interface Settings {
  groupRatio: Map<string, number>;
  userUsableGroups: Map<string, string>;
  /** group_ratio_setting.group_special_usable_group (NA ≥ 2025-10-28; not in BF). */
  specialUsable: Map<string, Record<string, string>>;
  autoGroups: string[];
  modelPrice: Map<string, number>;
  modelRatio: Map<string, number>;
  quotaPerUnit: number;
  systemName: string;
  selfUseMode: boolean;
  retryTimes: number;
}

export function defaultSettings(product: SandboxProduct): Settings {
  return {
    groupRatio: new Map([
      ['default', 1],
      ['vip', 1],
      ['svip', 1],
    ]),
    userUsableGroups: new Map([
      ['default', '默认分组'],
      ['vip', 'vip分组'],
    ]),
    specialUsable: new Map(),
    autoGroups: ['default'],
    modelPrice: new Map(),
    modelRatio: new Map(),
    quotaPerUnit: 500_000,
    systemName: product === 'bltcy' ? 'API Gateway' : 'New API',
    selfUseMode: false,
    retryTimes: 0,
  };
}

type Problem = (key: string, err: string) => void;

function jsonMap<T>(key: string, raw: string, accept: (v: unknown) => v is T, problem: Problem): Map<string, T> {
  const out = new Map<string, T>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    problem(key, String((e as Error).message));
    return out;
  }
  if (parsed === null) return out;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    problem(key, `json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map`);
    return out;
  }
  let bad = false;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (accept(v)) out.set(k, v);
    else bad = true;
  }
  if (bad) problem(key, 'json: cannot unmarshal into Go value of the map element type');
  return out;
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, string> => !!v && typeof v === 'object' && !Array.isArray(v);
const goBool = (v: string) => ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);

/** Apply the options table over the defaults; problems are reported as `failed to update option map` lines. */
export function loadSettings(product: SandboxProduct, rows: Map<string, string>, problem: Problem): Settings {
  const s = defaultSettings(product);
  for (const [key, value] of rows) {
    switch (key) {
      case 'GroupRatio':
        s.groupRatio = jsonMap(key, value, isNum, problem);
        break;
      case 'UserUsableGroups':
        s.userUsableGroups = jsonMap(key, value, isStr, problem);
        break;
      case 'group_ratio_setting.group_special_usable_group':
        if (product === 'new-api') s.specialUsable = jsonMap(key, value, isObj, problem);
        break;
      case 'AutoGroups':
        try {
          const v = JSON.parse(value) as unknown;
          s.autoGroups = Array.isArray(v) ? v.filter(isStr) : [];
        } catch (e) {
          s.autoGroups = [];
          problem(key, String((e as Error).message));
        }
        break;
      case 'ModelPrice':
        s.modelPrice = jsonMap(key, value, isNum, problem);
        break;
      case 'ModelRatio':
        s.modelRatio = jsonMap(key, value, isNum, problem);
        break;
      case 'QuotaPerUnit': {
        const n = Number(value);
        if (Number.isFinite(n)) s.quotaPerUnit = n;
        break;
      }
      case 'SystemName':
        s.systemName = value;
        break;
      case 'SelfUseModeEnabled':
        s.selfUseMode = goBool(value);
        break;
      case 'RetryTimes': {
        const n = Number.parseInt(value, 10);
        if (Number.isFinite(n)) s.retryTimes = n;
        break;
      }
    }
  }
  return s;
}

/** GetUserUsableGroups (RB §6.4): the option, plus the user's own group, plus default for an empty group. */
export function usableGroups(s: Settings, product: SandboxProduct, userGroup: string): Map<string, string> {
  const out = new Map(s.userUsableGroups);
  if (product === 'new-api') {
    for (const [k, v] of Object.entries(s.specialUsable.get(userGroup) ?? {})) {
      if (k.startsWith('-:')) out.delete(k.slice(2));
      else if (k.startsWith('+:')) out.set(k.slice(2), v);
      else out.set(k, v);
    }
  }
  if (userGroup === '' && !out.has('default')) out.set('default', 'default');
  if (!out.has(userGroup)) out.set(userGroup, '用户分组');
  return out;
}

/** FormatMatchingModelName (RB §5.6). */
export function matchingModelName(name: string): string {
  if (/^gemini-2\.5-flash-lite.*-thinking-/.test(name)) return 'gemini-2.5-flash-lite-thinking-*';
  if (/^gemini-2\.5-flash.*-thinking-/.test(name)) return 'gemini-2.5-flash-thinking-*';
  if (/^gemini-2\.5-pro.*-thinking-/.test(name)) return 'gemini-2.5-pro-thinking-*';
  if (name.startsWith('gpt-4-gizmo')) return 'gpt-4-gizmo-*';
  if (name.startsWith('gpt-4o-gizmo')) return 'gpt-4o-gizmo-*';
  return name;
}
