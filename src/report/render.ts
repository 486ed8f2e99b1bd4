import type { ChalkInstance } from 'chalk';
import type { Lang } from '../i18n/lang.js';
import { UsageError } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { scrub } from './scrub.js';

export const FORMATS = ['text', 'json', 'junit', 'github', 'markdown', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(v: unknown, json: boolean): Format {
  if (v === undefined || v === null) return json ? 'json' : 'text';
  const f = String(v).trim().toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${String(v)}"`);
  if (json && f !== 'json') throw new UsageError(`--json and --format ${f} disagree: pass one of them`);
  return f as Format;
}

export interface RenderOptions {
  lang: Lang;
  /** Colours for text (a level-0 chalk when not a TTY). */
  chalk?: ChalkInstance;
  verbose?: boolean;
  width?: number;
  failOn?: 'fail' | 'warn';
  /** Unix seconds for prometheus' last-run timestamp (default: now). */
  timestamp?: number;
}

/** One document in one format; renderers are loaded on demand (each knows only the document). */
export async function renderDocument(doc: DiagnoseDocument, format: Format, o: RenderOptions): Promise<string> {
  let text: string;
  switch (format) {
    case 'json':
      text = (await import('./json.js')).renderJson(doc, o.lang);
      break;
    case 'junit':
      text = (await import('./junit.js')).renderJunit(doc, { lang: o.lang, failOn: o.failOn });
      break;
    case 'github':
      text = (await import('./github.js')).renderGithub(doc, { lang: o.lang, failOn: o.failOn });
      break;
    case 'markdown':
      text = (await import('./markdown.js')).renderMarkdown(doc, { lang: o.lang });
      break;
    case 'prometheus':
      text = (await import('./prometheus.js')).renderPrometheus(doc, { timestamp: o.timestamp ?? Date.now() / 1000 });
      break;
    default: {
      const chalk = o.chalk ?? new (await import('chalk')).Chalk({ level: 0 });
      text = (await import('./text.js')).renderText(doc, { chalk, verbose: Boolean(o.verbose), width: o.width, lang: o.lang });
    }
  }
  return scrub(text, format === 'text');
}
