// Where a run spends its CPU: one extra run under `node --cpu-prof`, summarised as the functions
// with the most self time (file:line in dist/). Not part of the timed runs.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './measure.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function profileRun(cliArgs, { secrets = [], top = 10 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-prof-'));
  try {
    const r = await runCli(cliArgs, { secrets, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir] });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return { wallMs: r.wallMs, top: [] };
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const self = new Map();
    prof.samples.forEach((id, i) => {
      const n = byId.get(id);
      const f = n.callFrame;
      const where = f.url ? `${f.url.replace(`file://${ROOT}`, '')}:${f.lineNumber + 1}` : '';
      const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    return {
      wallMs: r.wallMs,
      totalMs: total,
      top: [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, ms]) => ({ fn, ms, share: ms / total })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
