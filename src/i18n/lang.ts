import { UsageError } from '../types.js';

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

const isC = (v: string) => /^(C|POSIX)([._@].*)?$/i.test(v);

/**
 * The language the environment asks for, the way gettext reads it: LC_ALL, then LC_MESSAGES,
 * then LANG name the locale; LANGUAGE (a priority list) wins unless that locale is C/POSIX.
 */
export function langFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  if (locale && isC(locale)) return 'en';
  const first = (env.LANGUAGE ?? '').split(':').find((s) => s.trim() !== '');
  const pick = first ?? locale;
  return /^zh/i.test(pick.trim()) ? 'zh' : 'en';
}

/** --lang value, or the environment's language when not given. */
export function resolveLang(flag: unknown, env: NodeJS.ProcessEnv | Record<string, string | undefined>): Lang {
  if (flag === undefined || flag === null || flag === '') return langFromEnv(env);
  const v = String(flag).trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-') || v.startsWith('en_')) return 'en';
  if (v === 'zh' || v.startsWith('zh-') || v.startsWith('zh_')) return 'zh';
  throw new UsageError(`--lang must be en or zh, got "${String(flag)}"`);
}
