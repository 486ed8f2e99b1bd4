import type { Product } from '../context/dsn.js';
import type { Build } from './product.js';
import type { ChannelRow } from './model.js';

// A channel's own configuration as the relay reads it (RB §3.5–§3.8).

export const CHANNEL_STATUS: Record<number, string> = { 0: 'unknown', 1: 'enabled', 2: 'manually disabled', 3: 'automatically disabled' };

export interface ChannelInfo {
  isMultiKey: boolean;
  size: number;
  statusList: Record<string, number>;
  mode: string;
  problem?: string;
}

export function channelInfo(c: ChannelRow): ChannelInfo {
  const empty: ChannelInfo = { isMultiKey: false, size: 0, statusList: {}, mode: '' };
  if (c.channelInfo === null || c.channelInfo === '') return empty;
  try {
    const v = JSON.parse(c.channelInfo) as Record<string, unknown>;
    return {
      isMultiKey: v.is_multi_key === true,
      size: Number(v.multi_key_size ?? 0) || 0,
      statusList: (v.multi_key_status_list as Record<string, number>) ?? {},
      mode: String(v.multi_key_mode ?? ''),
    };
  } catch (err) {
    return { ...empty, problem: (err as Error).message };
  }
}

/** Keys as the relay splits them: JSON array when the trimmed key starts with '[', else lines. */
export function splitKeys(raw: string): string[] {
  const t = raw.replace(/^\n+|\n+$/g, '');
  if (t.trim().startsWith('[')) {
    try {
      const arr = JSON.parse(t.trim());
      if (Array.isArray(arr)) return arr.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    } catch {
      /* falls through to lines, like the relay's error path */
    }
  }
  return t === '' ? [] : t.split('\n');
}

export interface KeyView {
  multiKey: boolean;
  total: number;
  /** Indexes of keys the relay may use. */
  enabled: number[];
  /** The single-key value holds several lines but multi-key mode is off. */
  multilineUnflagged: boolean;
  empty: boolean;
  /** BF and NA-0.9.16 fall back to the first key when all are disabled. */
  fallsBackToFirst: boolean;
}

export function keyView(c: ChannelRow, build: Build): KeyView {
  const raw = c.key.reveal();
  const info = channelInfo(c);
  if (!info.isMultiKey) {
    const lines = raw.replace(/^\n+|\n+$/g, '').split('\n').filter((l) => l.trim() !== '');
    return { multiKey: false, total: raw === '' ? 0 : 1, enabled: raw === '' ? [] : [0], multilineUnflagged: lines.length > 1, empty: raw.trim() === '', fallsBackToFirst: false };
  }
  const keys = splitKeys(raw);
  const enabled = keys.map((_, i) => i).filter((i) => (info.statusList[String(i)] ?? 1) === 1);
  const fallback = keys.length > 0 && enabled.length === 0 && (build === 'BF' || build === 'NA-0.9.16' || build === 'NA-2504');
  return { multiKey: true, total: keys.length, enabled, multilineUnflagged: false, empty: keys.length === 0, fallsBackToFirst: fallback };
}

export interface BaseUrlView {
  /** What GetBaseURL() returns ('' when none). */
  effective: string;
  source: 'stored' | 'type-default' | 'none';
  /** Reading ChannelBaseURLs[type] panics: type beyond the build's table with base_url ''. */
  panics: boolean;
  tableLength: number;
}

export function baseUrlView(
  c: ChannelRow,
  product: Product,
  build: Build,
  types: { defaultBaseUrl(product: Product, type: number, build?: string): string; typeTableLength(product: Product, build?: string): number },
): BaseUrlView {
  const tableLength = types.typeTableLength(product, build);
  if (c.baseUrl === null) return { effective: '', source: 'none', panics: false, tableLength };
  if (c.baseUrl !== '') return { effective: c.baseUrl, source: 'stored', panics: false, tableLength };
  if (c.type >= tableLength || c.type < 0) return { effective: '', source: 'none', panics: true, tableLength };
  const d = types.defaultBaseUrl(product, c.type, build);
  return { effective: d, source: d ? 'type-default' : 'none', panics: false, tableLength };
}

export function statusReason(c: ChannelRow): { reason?: string; time?: number } {
  if (!c.otherInfo) return {};
  try {
    const v = JSON.parse(c.otherInfo) as { status_reason?: string; status_time?: number };
    return { reason: v.status_reason, time: v.status_time };
  } catch {
    return {};
  }
}
