import type { RunContext } from '../context/types.js';
import type { Gatherer } from '../diagnose/gather.js';
import type { Snapshot, TargetFacts } from '../diagnose/facts.js';
import { planChannel, probeId } from './plan.js';
import { runPlans } from './run.js';
import { DEFAULT_OPTIONS, type ProbeOptions, type ProbeRecord } from './types.js';

// diagnose's upstream stage: the selected channels' upstreams, reached directly with their keys
// in safe mode (model list, and a task lookup on a passthrough route's prefix).

export interface UpstreamFacts {
  /** Channels whose upstreams were probed. */
  channels: number[];
  probes: ProbeRecord[];
  /** The route path the passthrough probes used, if any. */
  path?: string;
  durationMs: number;
  /** Why nothing was probed (the stage then reports it as its note). */
  skipped?: string;
}

/**
 * The probe's own limits, kept inside half of diagnose's --timeout when one is given, so that a
 * hanging upstream shows as UPSTREAM_TIMEOUT rather than stopping the whole run.
 */
export function diagnoseProbeOptions(globalTimeout: unknown, slowMs = DEFAULT_OPTIONS.slowMs): ProbeOptions {
  const t = Number(globalTimeout);
  const base = { ...DEFAULT_OPTIONS, slowMs };
  if (globalTimeout === undefined || !Number.isFinite(t) || t <= 0) return base;
  const cap = Math.max(1_000, Math.floor((t * 1000) / 2));
  const d = DEFAULT_OPTIONS.timeouts;
  return { ...base, timeouts: { dnsMs: Math.min(d.dnsMs, cap), connectMs: Math.min(d.connectMs, cap), tlsMs: Math.min(d.tlsMs, cap), headersMs: Math.min(d.headersMs, cap), bodyMs: Math.min(d.bodyMs, cap) } };
}

function single(targets: TargetFacts[]): TargetFacts | undefined {
  return targets.length === 1 && !targets[0]!.cell ? targets[0] : undefined;
}

export const upstreamGatherer: Gatherer = {
  id: 'upstream/probe',
  stage: 'upstream',
  wanted: (ctx: RunContext) => !ctx.flags.offline,
  async gather(ctx, snap: Snapshot, targets) {
    const started = performance.now();
    const t = single(targets);
    if (!t) {
      snap.upstream = { channels: [], probes: [], durationMs: 0, skipped: 'upstream not probed: no single request to follow (sweep)' };
      return;
    }
    if (!t.channels.length) {
      snap.upstream = { channels: [], probes: [], durationMs: 0, skipped: 'upstream not probed: no channel selected' };
      return;
    }
    const { product, build } = snap.product;
    const id = probeId();
    const plans = t.channels.map((c) => planChannel(c, { product, build, path: t.path, method: t.method, route: t.route, model: t.model, probeId: id }));
    const probes = await runPlans(plans, diagnoseProbeOptions(ctx.flags.timeout, ctx.config.thresholds?.upstreamSlowMs), 8);
    snap.upstream = { channels: t.channels.map((c) => c.id), probes, path: t.path, durationMs: Math.round(performance.now() - started) };
  },
};
