import type { Lang } from '../i18n/lang.js';
import { zhFinding } from '../i18n/localize.js';
import type { Finding } from '../types.js';
import type { DiagnoseDocument } from './document.js';

// The contract's JSON document. Messages stay English; with --lang zh every finding also gets
// messageZh (and remedyZh when it has a remedy): added keys, as the contract allows.

function withZh(f: Finding): Finding & { messageZh: string; remedyZh?: string } {
  const z = zhFinding(f);
  return { ...f, messageZh: z.message, ...(z.remedy !== undefined ? { remedyZh: z.remedy } : {}) };
}

export function jsonDocument(doc: DiagnoseDocument, lang: Lang): DiagnoseDocument {
  if (lang !== 'zh') return doc;
  return { ...doc, stages: doc.stages.map((s) => ({ ...s, findings: s.findings.map(withZh) })), findings: doc.findings.map(withZh) };
}

export function renderJson(doc: DiagnoseDocument, lang: Lang): string {
  return `${JSON.stringify(jsonDocument(doc, lang), null, 2)}\n`;
}
