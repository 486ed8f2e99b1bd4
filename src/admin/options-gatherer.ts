import type { Gatherer } from '../diagnose/gather.js';
import { adminAuth, adminGet } from './client.js';

export interface NodeOptions {
  url: string;
  ok: boolean;
  error?: string;
  /** Option key → raw string value as the running node holds it. */
  values?: Map<string, string>;
}

/** GET /api/option/ on every relay node: what each process holds in memory. */
export const adminOptionsGatherer: Gatherer = {
  id: 'admin/options',
  stage: 'cache',
  wanted: (ctx) => ctx.relayUrls.length > 0 && typeof ctx.flags.adminToken === 'string' && ctx.flags.adminToken !== '',
  validate: (ctx) => void adminAuth(ctx),
  async gather(ctx, snap) {
    const auth = adminAuth(ctx)!;
    snap.liveOptions = await Promise.all(
      ctx.relayUrls.map(async (url): Promise<NodeOptions> => {
        const r = await adminGet<{ key: string; value: string }[]>(url, '/api/option/', auth);
        if (!r.ok || !Array.isArray(r.data)) return { url, ok: false, error: r.message ?? 'no option list in the answer' };
        return { url, ok: true, values: new Map(r.data.map((o) => [o.key, String(o.value ?? '')])) };
      }),
    );
  },
};
