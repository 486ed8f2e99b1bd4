// Fallback when GNU time is absent: preloaded with `node --import`, writes the process's peak
// RSS in kB (resourceUsage().maxRSS, the kernel's high-water mark) and its CPU time to
// RD_BENCH_RSS at exit.

import { writeFileSync } from 'node:fs';

const out = process.env.RD_BENCH_RSS;
process.on('exit', () => {
  const r = process.resourceUsage();
  if (out) writeFileSync(out, JSON.stringify({ rssKb: r.maxRSS, cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000 }));
});
