import type { Secret } from '../context/secret.js';

export interface RedisPing {
  ok: boolean;
  ms?: number;
  error?: string;
}

/** Connect and PING, once, with a short timeout and no retries. Read-only. */
export async function pingRedis(url: Secret, timeoutMs = 3000): Promise<RedisPing> {
  const { Redis } = await import('ioredis');
  const started = performance.now();
  const client = new Redis(url.reveal(), {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    // ioredis messages may quote the URL; keep only the cause.
    const msg = String((err as Error).message ?? err).replace(/rediss?:\/\/\S+/g, '<redis>');
    return { ok: false, error: msg };
  } finally {
    client.disconnect();
  }
}
