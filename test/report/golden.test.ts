import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Lang } from '../../src/i18n/lang.js';
import { FORMATS, renderDocument, type Format } from '../../src/report/render.js';
import { FIXTURES } from './fixtures.js';

// Golden files per format (colour off), built from fixed documents. UPDATE_GOLDEN=1 rewrites
// them; review the diff before committing.

const DIR = new URL('./golden/', import.meta.url);
const EXT: Record<Format, string> = { text: 'txt', json: 'json', junit: 'xml', github: 'gh.txt', markdown: 'md', prometheus: 'prom' };
const TIMESTAMP = 1767225600; // 2026-01-01T00:00:00Z

const cases: { doc: keyof typeof FIXTURES; format: Format; lang: Lang; failOn?: 'warn' }[] = [];
for (const doc of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
  for (const format of FORMATS) cases.push({ doc, format, lang: 'en' });
  for (const format of ['text', 'junit', 'github', 'markdown', 'json'] as Format[]) cases.push({ doc, format, lang: 'zh' });
}
cases.push({ doc: 'unhealthy', format: 'junit', lang: 'en', failOn: 'warn' });
cases.push({ doc: 'unhealthy', format: 'github', lang: 'en', failOn: 'warn' });

describe('golden files per format', () => {
  for (const c of cases) {
    const name = `${c.doc}${c.lang === 'zh' ? '.zh' : ''}${c.failOn ? '.fail-on-warn' : ''}.${EXT[c.format]}`;
    it(name, async () => {
      const text = await renderDocument(FIXTURES[c.doc](), c.format, { lang: c.lang, verbose: true, width: 100, timestamp: TIMESTAMP, failOn: c.failOn });
      const file = new URL(name, DIR);
      if (process.env.UPDATE_GOLDEN || !fs.existsSync(file)) {
        fs.mkdirSync(DIR, { recursive: true });
        fs.writeFileSync(file, text);
      }
      expect(text).toBe(fs.readFileSync(file, 'utf8'));
      // Colour off: no escape sequences in any format.
      expect(text).not.toMatch(/\u001b\[/);
    });
  }
});
