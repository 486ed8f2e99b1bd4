#!/usr/bin/env node
// Benchmark of the log analyser: 1,000,000 mixed relay log lines (new-api, BF passthrough,
// one-api, noise), analysed from memory and streamed from a file. Run after `npm run build`:
//   node --expose-gc bench/logs-bench.mjs [lines]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeLines, LogAnalyzer } from '../dist/logs/analyze.js';
import { fileLines } from '../dist/logs/input.js';

const N = Number(process.argv[2] ?? 1_000_000);
const pad = (n, w = 2) => String(n).padStart(w, '0');

function* generate(n) {
  let i = 0;
  const day = '2025/11/17';
  while (i < n) {
    const sec = Math.floor(i / 50);
    const t = `${day} - ${pad(10 + Math.floor(sec / 3600) % 14)}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}`;
    const rid = `20251117${pad(i % 24)}${pad(i % 60)}${pad(i % 60)}${i}AbCd${i % 9973}`;
    const k = i % 40;
    let line;
    if (k < 22) line = `[GIN] ${t} | ${rid} | 200 | ${'1.234567s'.padStart(13)} | ${'203.0.113.7'.padStart(15)} | ${'POST'.padStart(7)} /v1/chat/completions`;
    else if (k < 27) line = `[INFO] ${t} | ${rid} | record consume log: userId=1, channelId=3, modelName=gpt-4o, tokenName=t1, quota=120 `;
    else if (k < 29) line = `[SYS] ${t} | [Distributor] 请求渠道: group=default, model=runway, path=/runwayml/v1/image_to_video`;
    else if (k < 31) line = '[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example/runwayml/v1/image_to_video, bodyLen: 123';
    else if (k < 32) line = '[DEBUG Bltcy Billing] Model: runway, Price: $0.1000, GroupRatio: 1.00, ChannelRatio: 1.00, Quota: 50000';
    else if (k < 33) line = `[GIN] ${t} | ${rid} | 200 | ${'3.021s'.padStart(13)} | ${'203.0.113.7'.padStart(15)} | ${'POST'.padStart(7)} /runwayml/v1/image_to_video`;
    else if (k < 34) line = `2025/11/17 10:00:01 /app/model/main.go:142 SLOW SQL >= 200ms`;
    else if (k < 35) line = `[ERR] ${t} | ${rid} | user 1 | 分组 default 下模型 runway 无可用渠道（distributor）`;
    else if (k < 36) line = `[ERR] ${t} | ${rid} | channel error (channel #${i % 12}, status code: 502): bad response status code 502, body: upstream busy`;
    else if (k < 37) line = '[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example/v1/videos, error=Post "https://legacy.example/v1/videos": net/http: timeout awaiting response headers';
    else if (k < 38) line = `[GIN] ${t} | ${rid} | 500 | ${'1m0.19s'.padStart(13)} | ${'203.0.113.7'.padStart(15)} | ${'POST'.padStart(7)} /v1/videos`;
    else if (k < 39) line = `\x1b[36mnew-api  |\x1b[0m [SYS] ${t} | syncing channels from database`;
    else line = 'Listening on :3000';
    yield line;
    i++;
  }
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;

// 1. Lines generated on the fly (nothing kept in memory); generation alone is timed too.
let t = performance.now();
let count = 0;
for (const l of generate(N)) count += l.length > 0 ? 1 : 0;
const genMs = performance.now() - t;
t = performance.now();
const cpu0 = process.cpuUsage();
const a = await analyzeLines(generate(N));
const totalMs = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
const memMs = totalMs - genMs;
console.log(
  `analyzeLines, ${N.toLocaleString('en-US')} generated lines: ${(totalMs / 1000).toFixed(2)} s with generation, ${(memMs / 1000).toFixed(2)} s analysis alone (${Math.round(N / (memMs / 1000)).toLocaleString('en-US')} lines/s); CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; ${a.clusters.length} clusters, ${a.unknownLines.toLocaleString('en-US')} unknown`,
);

// 2. Streamed from a file with readline (what the command does); memory sampled while it runs
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-bench-'));
const file = path.join(dir, 'oneapi-20251117100000.log');
const out = fs.createWriteStream(file);
for (const l of generate(N)) if (!out.write(l + '\n')) await new Promise((r) => out.once('drain', r));
await new Promise((r) => out.end(r));
// Live heap after a full GC at every fifth of the stream: flat means constant memory
// (run with --expose-gc for these numbers; RSS alone mostly shows uncollected garbage).
const checkpoints = [];
const gc = globalThis.gc;
const live = () => {
  if (gc) gc();
  return process.memoryUsage().heapUsed;
};
t = performance.now();
const cpu1 = process.cpuUsage();
let pauseMs = 0;
const an = new LogAnalyzer();
let k = 0;
for await (const l of fileLines(file)) {
  an.pushLine(l, file);
  if (gc && ++k % Math.floor(N / 5) === 0) {
    const p0 = performance.now();
    checkpoints.push(live());
    pauseMs += performance.now() - p0;
  }
}
const r = an.result();
const fileMs = performance.now() - t - pauseMs;
const cpuF = process.cpuUsage(cpu1);
console.log(
  `streamed from a ${mb(fs.statSync(file).size)} file (readline): ${(fileMs / 1000).toFixed(2)} s; CPU ${((cpuF.user + cpuF.system) / 1e6).toFixed(2)} s (GC checkpoints included); ${r.lines.toLocaleString('en-US')} lines, ${r.clusters.length} clusters`,
);
if (checkpoints.length) console.log(`live heap after GC at each fifth: ${checkpoints.map(mb).join(', ')}`);
else console.log('(run with node --expose-gc to see the live heap at each fifth of the stream)');
fs.rmSync(dir, { recursive: true, force: true });
