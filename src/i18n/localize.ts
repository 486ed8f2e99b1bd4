import type { Finding } from '../types.js';
import { ZH } from './catalog/index.js';
import type { Lang } from './lang.js';

export interface LocalizedFinding {
  message: string;
  remedy?: string;
  /** The Chinese message fell back to the code's generic sentence plus the English text. */
  fallback: boolean;
}

/** The finding's message and remedy text in Chinese, from its code, subject and evidence. */
export function zhFinding(f: Finding): LocalizedFinding {
  const e = ZH[f.code];
  let message: string | undefined;
  try {
    message = e?.message?.(f);
  } catch {
    message = undefined; // an unexpected evidence shape: use the generic sentence
  }
  const fallback = message === undefined;
  if (message === undefined) message = `${e?.title ?? `发现问题 ${f.code}`}（英文原文：${f.message}）`;
  let remedy: string | undefined;
  if (f.remedy) {
    try {
      remedy = e?.remedy?.(f);
    } catch {
      remedy = undefined;
    }
    remedy ??= f.remedy.text;
  }
  return { message, remedy, fallback };
}

export function localizeFinding(f: Finding, lang: Lang): LocalizedFinding {
  if (lang === 'zh') return zhFinding(f);
  return { message: f.message, remedy: f.remedy?.text, fallback: false };
}
