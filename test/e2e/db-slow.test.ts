import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { runCli } from '../support/cli.js';

// DB_SLOW on a real server: a loopback proxy in front of the database holds every new
// connection for 1.2 s, as a far-away or paused database does (failure-modes F72).
const HOLD_MS = 1200;

function slowProxy(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(port, host, () => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', close);
      client.on('error', close);
    }, HOLD_MS);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describeEngines('DB_SLOW through a slow network path', (engine) => {
  if (engine === 'sqlite') {
    it.skip('SQLite has no network path', () => undefined);
    return;
  }
  let fresh: FreshDatabase;
  let proxy: net.Server;
  let dsn: string;
  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    await seedIncident(fresh.db);
    const u = new URL(fresh.dsn);
    proxy = await slowProxy(u.hostname, Number(u.port || (engine === 'mysql' ? 3306 : 5432)));
    u.port = String((proxy.address() as AddressInfo).port);
    dsn = u.toString();
  });
  afterAll(async () => {
    await new Promise<void>((r) => proxy?.close(() => r()));
    await fresh?.drop();
  });

  it('connecting takes over 1 s: DB_SLOW (warn), the run still completes', async () => {
    const r = await runCli(['diagnose', '--offline', '--dsn', dsn, '--model', 'runway', '--group', 'default', '--json']);
    const doc = r.json();
    const f = doc.findings.find((x: { code: string }) => x.code === 'DB_SLOW');
    expect(f, JSON.stringify(doc.findings.map((x: { code: string }) => x.code))).toBeTruthy();
    expect(f.status).toBe('warn');
    expect(f.evidence.connectMs).toBeGreaterThanOrEqual(1000);
    expect(r.code).toBe(0);
  });
});
