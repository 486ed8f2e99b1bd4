import type { Lang } from '../i18n/lang.js';
import { localizeFinding } from '../i18n/localize.js';
import { noteText, t } from '../i18n/strings.js';
import type { Finding, StageId } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { noControls } from './scrub.js';

// What every renderer needs besides the document: the finding in the chosen language, and
// the finding behind the verdict.

export interface View {
  lang: Lang;
  message(f: Finding): string;
  remedy(f: Finding): string | undefined;
  note(text: string): string;
  stageTitle(id: StageId | string): string;
}

export function viewOf(lang: Lang): View {
  const cache = new Map<Finding, ReturnType<typeof localizeFinding>>();
  const get = (f: Finding) => {
    let l = cache.get(f);
    if (!l) {
      l = localizeFinding(f, lang);
      cache.set(f, l);
    }
    return l;
  };
  return {
    lang,
    message: (f) => noControls(get(f).message),
    remedy: (f) => {
      const r = get(f).remedy;
      return r === undefined ? undefined : noControls(r);
    },
    note: (text) => noControls(noteText(text, lang)),
    stageTitle: (id) => {
      const key = `stage.${id}` as Parameters<typeof t>[1];
      try {
        return t(lang, key);
      } catch {
        return String(id);
      }
    },
  };
}

/** The finding the verdict names (its message in the chosen language). */
export function primaryFinding(doc: DiagnoseDocument): Finding | undefined {
  const p = doc.verdict.primary;
  if (!p) return undefined;
  return doc.findings.find((f) => f.code === p.code && f.stage === p.stage && f.message === p.message) ?? doc.findings.find((f) => f.code === p.code && f.stage === p.stage);
}

/** Findings of one sweep cell (subject.model and subject.group). */
export function cellFindings(doc: DiagnoseDocument, model: string, group: string): Finding[] {
  return doc.findings.filter((f) => f.subject?.model === model && f.subject?.group === group);
}
