// relay-doctor demo through the built CLI, as on a fresh machine: an empty environment, nothing
// configured, no servers. It must finish well under a minute, exit 0, print no secret, leave
// nothing behind, and its JSON must carry the verdict the seed incident's 500 deserves.

import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { builtCliExists, runCli } from '../support/cli.js';

const built = builtCliExists();
const leftovers = () => new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('relay-doctor-demo-')));
// A relay key (48 characters) or any sk- key longer than the contract's sk-abcd…wxyz.
const KEYISH = /sk-[A-Za-z0-9]{12,}|\b[A-Za-z0-9]{40,}\b/;

describe.skipIf(!built)('relay-doctor demo', () => {
  it('--json: the final diagnose document plus a demo section; UPSTREAM_5XX, node B healed, nothing billed', async () => {
    const before = leftovers();
    const started = Date.now();
    const r = await runCli(['demo', '--json'], { env: {}, timeoutMs: 60_000, cwd: os.tmpdir() });
    const took = Date.now() - started;
    expect(r.code).toBe(0);
    expect(took).toBeLessThan(60_000);
    expect(r.stderr).toBe('');
    const doc = r.json();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.verdict.primary.code).toBe('UPSTREAM_5XX');
    expect(doc.verdict.ranked).toEqual(expect.arrayContaining(['UPSTREAM_5XX', 'CACHE_STALE_CHANNELS']));
    expect(doc.seen).toMatchObject({ status: 500, origin: 'upstream', code: 'UPSTREAM_5XX' });
    expect(doc.seen.excluded).toContain('CACHE_STALE_CHANNELS');
    const d = doc.demo;
    expect(d.shown).toBe(true);
    expect(d.problems).toEqual([]);
    expect(d.userRequest.status).toBe(500);
    expect(d.userRequest.requestIds.some((id: string) => id.startsWith('B'))).toBe(true);
    const nodeB = d.nodes.find((n: any) => n.name === 'node B').url;
    expect(d.before.staleNodes).toEqual([nodeB]);
    expect(d.before.primary).toBe('UPSTREAM_5XX');
    expect(d.after).toMatchObject({ healedNodes: [nodeB], stillStale: [], upstreamStillFailing: true, primary: 'UPSTREAM_5XX' });
    expect(d.proof.relayUpstreamCallsByProbes).toBe(0);
    expect(d.proof.relayCharges).toBe(0);
    const healed = doc.findings.find((f: any) => f.code === 'CACHE_STALE_CHANNELS');
    expect(healed.message).toMatch(/stale cache confirmed: healed after \d+ s/);
    expect(r.stdout).not.toMatch(KEYISH);
    const after = leftovers();
    expect([...after].filter((n) => !before.has(n))).toEqual([]);
  });

  it('text: the four parts, the branches of the 500, and the exit 0 explained', async () => {
    const r = await runCli(['demo'], { env: {}, timeoutMs: 60_000, cwd: os.tmpdir() });
    expect(r.code).toBe(0);
    const out = r.stdout;
    for (const part of ['The setup', '1. What the user saw', '2. relay-doctor diagnose', '3. One sync window later', 'What this shows']) expect(out).toContain(part);
    expect(out).toMatch(/--token sk-[A-Za-z0-9]{4}…[A-Za-z0-9]{4} /);
    expect(out).toMatch(/✔ proven +the upstream's own 500/);
    expect(out).toMatch(/✖ excluded +no channel for \(group, model\) in the routing view/);
    expect(out).toMatch(/✔ node B: stale cache confirmed: healed after \d+ s/);
    expect(out).toMatch(/The demo exits 0/);
    expect(out).toMatch(/Cleaned up/);
    expect(out).not.toMatch(KEYISH);
    expect(r.stderr).toBe('');
  });

  it('a bad --sync is a usage error', async () => {
    const r = await runCli(['demo', '--sync', '0'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sync expects whole seconds/);
  });
});
