import type { Finding } from '../types.js';

// Typed reads of a finding's subject and evidence. Checks may omit fields (or a newer check may
// emit a different shape), so every read can fail and a message builder returns undefined then.

export type Entry = {
  /** What the code means, as one Chinese sentence: the fallback when evidence is missing. */
  title: string;
  /** The Chinese message built from subject and evidence; undefined when a needed field is missing. */
  message?: (f: Finding) => string | undefined;
  /** The Chinese remedy text (commands are never translated). */
  remedy?: (f: Finding) => string | undefined;
};

export type Catalogue = Record<string, Entry>;

function field(f: Finding, key: string): unknown {
  if (f.subject && key in f.subject) return f.subject[key];
  if (f.evidence && key in f.evidence) return f.evidence[key];
  return undefined;
}

export const str = (f: Finding, key: string): string | undefined => {
  const v = field(f, key);
  return typeof v === 'string' ? v : undefined;
};

export const num = (f: Finding, key: string): number | undefined => {
  const v = field(f, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export const bool = (f: Finding, key: string): boolean | undefined => {
  const v = field(f, key);
  return typeof v === 'boolean' ? v : undefined;
};

export const arr = (f: Finding, key: string): unknown[] | undefined => {
  const v = field(f, key);
  return Array.isArray(v) ? v : undefined;
};

export const has = (f: Finding, key: string): boolean => field(f, key) !== undefined;

/** A quoted name as the English messages show it (JSON string syntax keeps spaces visible). */
export const q = (s: string): string => JSON.stringify(s);

export const ids = (list: unknown[]): string => list.map((i) => (typeof i === 'object' && i && 'id' in i ? `#${(i as { id: unknown }).id}` : `#${String(i)}`)).join('、');

/** "the relay answers X" in the English message: the answer is quoted verbatim (it is the relay's own text). */
export function answerOf(f: Finding): string | undefined {
  const m = /the (?:relay|passthrough) answers (.+?)(?:;|$)/.exec(f.message);
  return m?.[1]?.trim();
}

/** "…; 中继返回 X" when the English message names the relay's answer. */
export const answers = (f: Finding): string => {
  const a = answerOf(f);
  return a ? `；中继返回 ${a}` : '';
};

/** The text after the first ": " of the English message (a detail we cannot rebuild). */
export function detailOf(f: Finding): string | undefined {
  const i = f.message.indexOf(': ');
  return i >= 0 ? f.message.slice(i + 2) : undefined;
}
