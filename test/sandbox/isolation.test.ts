// The sandbox is the independent reference the real code is tested against: it may use the
// database driver layer and the shared types, never relay-doctor's own relay model or checks.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(import.meta.dirname, '../../src/sandbox');
const FORBIDDEN = ['relay', 'checks', 'data', 'diagnose'];

describe('sandbox isolation', () => {
  it('imports nothing from src/relay, src/checks, src/data or src/diagnose', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = fs.readFileSync(path.join(DIR, f), 'utf8');
      const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const spec of specs.filter((s) => s.startsWith('.'))) {
        const target = path.relative(path.resolve(DIR, '..'), path.resolve(DIR, spec));
        const top = target.split(path.sep)[0]!;
        expect(FORBIDDEN, `${f} imports ${spec}`).not.toContain(top);
        expect(top === 'sandbox' || top === 'db' || target === 'types.js', `${f} imports ${spec}`).toBe(true);
      }
    }
  });
});
