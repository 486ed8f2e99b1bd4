import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOptionsGatherer } from '../../src/admin/options-gatherer.js';
import { snapshot } from '../support/snapshot.js';
import { buildContext } from '../../src/context/build.js';

// A loopback stand-in for the relay's GET /api/option/ (RB §11.2).
let server: http.Server;
let base = '';
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('Content-Type', 'application/json');
    if (req.url !== '/api/option/') return res.end(JSON.stringify({ success: false, message: 'not found' }));
    if (req.headers.authorization !== 'root-access-token-0123456789abcdef') return res.end(JSON.stringify({ success: false, message: '无权进行此操作，access token 无效' }));
    if (req.headers['new-api-user'] !== '1') return res.writeHead(401).end(JSON.stringify({ success: false, message: '无权进行此操作，未提供 New-Api-User' }));
    res.end(JSON.stringify({ success: true, message: '', data: [{ key: 'GroupRatio', value: '{"default":1}' }, { key: 'ModelPrice', value: '{}' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function ctxWith(flags: Record<string, unknown>) {
  return buildContext({ common: { dsn: 'sqlite:///tmp/x.db', relayUrl: [base] }, processEnv: {}, cwd: '/tmp', flags });
}

describe('admin/options gatherer', () => {
  it('is wanted only with a relay URL and an admin token', () => {
    expect(adminOptionsGatherer.wanted(ctxWith({}))).toBe(false);
    expect(adminOptionsGatherer.wanted(ctxWith({ adminToken: 't' }))).toBe(true);
  });

  it('rejects a non-numeric --admin-user before anything runs', () => {
    expect(() => adminOptionsGatherer.validate!(ctxWith({ adminToken: 't', adminUser: 'root' }))).toThrow(/numeric/);
  });

  it('reads what the node holds, sending Authorization and New-Api-User', async () => {
    const snap = snapshot();
    await adminOptionsGatherer.gather(ctxWith({ adminToken: 'root-access-token-0123456789abcdef', adminUser: '1' }), snap, []);
    expect(snap.liveOptions).toHaveLength(1);
    expect(snap.liveOptions![0]!.ok).toBe(true);
    expect(snap.liveOptions![0]!.values!.get('GroupRatio')).toBe('{"default":1}');
    expect(seen.at(-1)!['new-api-user']).toBe('1');
  });

  it('reports the refusal (HTTP 200 success:false before 2026-07) without the token', async () => {
    const snap = snapshot();
    await adminOptionsGatherer.gather(ctxWith({ adminToken: 'wrong-token', adminUser: '1' }), snap, []);
    expect(snap.liveOptions![0]).toMatchObject({ ok: false, error: '无权进行此操作，access token 无效' });
    expect(JSON.stringify(snap.liveOptions)).not.toContain('wrong-token');
  });
});
