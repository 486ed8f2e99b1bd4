import { CHECKS } from '../checks/registry.js';
import type { Check } from '../checks/types.js';
import type { RunContext } from '../context/types.js';
import { buildDocument, type DiagnoseDocument, type SweepMatrix } from '../report/document.js';
import { verdictOf } from '../report/verdict.js';
import { finding } from '../checks/report.js';
import { STAGES, type Finding, type StageId, type StageResult, type Target } from '../types.js';
import type { Snapshot, TargetFacts } from './facts.js';
import { runChecks, stageResults } from './run.js';
import { logsSummary, mergeLogEvidence } from './logs-merge.js';
import { connect, DbOpenError, loadSnapshot, SchemaError } from './snapshot.js';
import { sweepGroups, sweepModels } from './sweep.js';
import { loadTokenFacts, resolveTarget, sweepCell } from './target.js';
import { routeFor } from '../relay/routes.js';
import { runGatherers, validateGatherers } from './gather.js';
import { GATHERERS } from './gatherers.js';
import { judgeAnswers } from '../live/judge.js';

export interface DiagnoseOutcome {
  doc: DiagnoseDocument;
  exitCode: number;
}

export interface DiagnoseOptions {
  version: string;
  checks?: readonly Check[];
  /** Progress callback for spinners (never used under --json). */
  progress?: (step: string) => void;
}

function targetOf(ctx: RunContext, t?: TargetFacts): Target {
  const out: Target = { method: ctx.target.method };
  if (ctx.target.path) out.path = ctx.target.path;
  const model = t?.model ?? ctx.target.model;
  if (model !== undefined) out.model = model;
  const group = t?.group ?? ctx.target.group;
  if (group !== undefined) out.group = group;
  const tokenId = t?.token?.token?.id ?? ctx.target.tokenId;
  if (tokenId !== undefined) out.tokenId = tokenId;
  return out;
}

/** A run that could not start: one environment finding, every other stage skipped, exit 3. */
function stoppedDoc(ctx: RunContext, f: Finding, started: number, version: string): DiagnoseOutcome {
  const stages: StageResult[] = STAGES.map((id) => (id === 'environment' ? { id, status: 'fail', findings: [f] } : { id, status: 'skip', findings: [], note: 'not run: the environment stage failed' }));
  const doc = buildDocument({
    version,
    target: targetOf(ctx),
    verdict: { status: 'unhealthy', primary: { code: f.code, stage: f.stage, message: f.message }, ranked: [f.code] },
    stages,
    findings: [f],
    durationMs: Math.round(performance.now() - started),
    notImplemented: [...ctx.notImplemented],
  });
  return { doc, exitCode: 3 };
}

function isSweep(ctx: RunContext): boolean {
  const t = ctx.target;
  return !t.path && t.model === undefined && !t.token && t.tokenId === undefined && t.tokenName === undefined;
}

function summaries(snap: Snapshot, t: TargetFacts | undefined, sweep: SweepMatrix | undefined): Partial<Record<StageId, string>> {
  const s: Partial<Record<StageId, string>> = {};
  const cache = snap.settings.memoryCacheOn ? `memory cache on${snap.settings.forcedByRedis ? ' (forced by Redis)' : ''}, SYNC_FREQUENCY ${snap.settings.syncFrequency} s` : 'memory cache off (routes from abilities)';
  s.environment = `${snap.product.product} (${snap.product.build}) on ${snap.db.engine}; ${cache}`;
  const sent = snap.upstream?.probes.filter((p) => p.attempts > 0) ?? [];
  if (sent.length) {
    const bad = (st: string) => sent.filter((p) => p.findings.some((f) => f.status === st)).length;
    const ttfb = Math.max(...sent.map((p) => p.phases.ttfbMs ?? 0));
    s.upstream = `${sent.length} direct probe(s) of channel ${[...new Set(sent.map((p) => `#${p.channelId}`))].join(', ')}: ${bad('fail')} failed, ${bad('warn')} warned; slowest first byte ${Math.round(ttfb)} ms`;
  }
  if (sweep) {
    s.route = `sweep: ${sweep.models.length} routing model(s)`;
    s.distribute = `${sweep.models.length} model(s) × ${sweep.groups.length} group(s)`;
    return s;
  }
  if (!t) return s;
  const r = t.route?.matched;
  if (r) s.route = `${t.method} ${t.path} → ${r.handler}${t.model !== undefined ? `, routing model "${t.model}"` : ''}`;
  else if (t.model !== undefined) s.route = `routing model "${t.model}" (${t.modelFrom})`;
  const tok = t.token?.token;
  if (tok) s.token = `token #${tok.id}${t.group !== undefined ? ` → using group "${t.group}" (from ${t.groupFrom})` : ''}`;
  else if (t.group !== undefined) s.token = `group "${t.group}" (from ${t.groupFrom})`;
  const sel = t.selection;
  if (sel?.candidates.length) {
    s.distribute = `${sel.mode === 'cache' ? (sel.fallback ? 'cache miss → abilities' : 'cache') : 'abilities'}: ${sel.candidates.map((c) => `#${c.channel.id} (${Math.round(c.share * 100)}%)`).join(', ')} at priority ${sel.candidates[0]!.priority}`;
    s.channel = sel.candidates.map((c) => `#${c.channel.id} type ${c.channel.type}`).join(', ');
  }
  return s;
}

function notesFor(ctx: RunContext, snap: Snapshot | undefined, t: TargetFacts | undefined, sweep: boolean): Partial<Record<StageId, string>> {
  const n: Partial<Record<StageId, string>> = {};
  if (!sweep && !t?.token) n.token = 'no --token, --token-id or --token-name: TokenAuth not evaluated';
  if (!sweep && (t?.group === undefined || t?.model === undefined)) n.distribute = t?.model === undefined ? 'no routing model: channel selection not evaluated' : 'no using group: channel selection not evaluated';
  if (!sweep && t && !t.channels.length) n.channel = 'no channel selected: nothing to check';
  // Only when the upstream stage did not run: --offline, a sweep, or no channel to probe.
  if (!snap?.upstream?.probes.some((p) => p.attempts > 0)) n.upstream = ctx.flags.offline ? 'upstream not probed (--offline)' : (snap?.upstream?.skipped ?? (snap?.upstream ? 'upstream not probed: see the findings' : 'upstream not probed (relay-doctor probe-upstream)'));
  if (snap && ctx.relayUrls.length) n.cache = undefined;
  return n;
}

export async function diagnose(ctx: RunContext, opts: DiagnoseOptions): Promise<DiagnoseOutcome> {
  const started = performance.now();
  const progress = opts.progress ?? (() => undefined);
  validateGatherers(GATHERERS, ctx);
  progress(`connecting to ${ctx.db.target.redacted}`);
  let conn;
  try {
    conn = await connect(ctx);
  } catch (err) {
    if (!(err instanceof DbOpenError)) throw err;
    const f = finding('DB_UNREACHABLE', `cannot open the relay's database ${ctx.db.target.redacted} (chosen by ${ctx.db.chosenBy}): ${err.message}`, {
      evidence: { database: ctx.db.target.redacted, engine: ctx.db.target.engine, chosenBy: ctx.db.chosenBy, error: err.message },
      remedy: { text: 'Check the DSN (host, port, database, user, password) and that this machine can reach it; pass --dsn or --env-file with the relay\'s settings.' },
    });
    return stoppedDoc(ctx, f, started, opts.version);
  }
  const { db } = conn;
  try {
    const sweep = isSweep(ctx);
    progress('reading the schema, options, channels and abilities');
    let snap: Snapshot;
    try {
      snap = await loadSnapshot(ctx, conn, ({ product, channels }) => {
        if (sweep) return { models: sweepModels(product.product, channels, ctx.config.routes), sweep: true };
        let model = ctx.target.model;
        if (model === undefined && ctx.target.path) model = routeFor(product.product, ctx.target.method, ctx.target.path, ctx.target.body, ctx.config.routes).model;
        return { models: model !== undefined ? [model] : [], sweep: false };
      });
    } catch (err) {
      if (err instanceof SchemaError) {
        const f = finding('SCHEMA_UNRECOGNIZED', `${ctx.db.target.redacted} is ${err.message}: the tables are not those of new-api or one-api`, {
          evidence: { database: ctx.db.target.redacted, missingTables: err.missing },
          remedy: { text: 'Point relay-doctor at the database the relay uses (its SQL_DSN or SQLITE_PATH; the Docker image keeps SQLite at /data/one-api.db).' },
        });
        return stoppedDoc(ctx, f, started, opts.version);
      }
      throw err;
    }
    progress('evaluating the flowchart');
    const tokenFacts = await loadTokenFacts(db, snap, ctx.target);
    let targets: TargetFacts[];
    let relayTarget: TargetFacts;
    let sweepMatrix: SweepMatrix | undefined;
    if (sweep) {
      const models = sweepModels(snap.product.product, snap.channels, ctx.config.routes);
      const groups = sweepGroups(snap.groupUse);
      targets = models.flatMap((m) => groups.map((g) => sweepCell(snap, m, g.group, g.tokens)));
      relayTarget = { label: 'relay', method: 'POST', channels: [], passthrough: false };
      sweepMatrix = { models, groups, cells: {} };
    } else {
      const t = resolveTarget(snap, ctx.target, tokenFacts);
      targets = [t];
      relayTarget = t;
    }
    progress('gathering live evidence');
    const gathered = await runGatherers(GATHERERS, ctx, snap, targets);
    const run = runChecks(opts.checks ?? CHECKS, snap, targets, relayTarget);
    for (const f of gathered) {
      run.findings.push(f);
      run.crashed.add(f.stage);
    }
    if (sweepMatrix) {
      const byCell = new Map<string, Finding[]>();
      for (const f of run.findings) {
        if (f.stage !== 'distribute' || f.subject?.model === undefined) continue;
        const k = `${String(f.subject.model)}\u0000${String(f.subject.group)}`;
        byCell.set(k, [...(byCell.get(k) ?? []), f]);
      }
      for (const m of sweepMatrix.models) {
        sweepMatrix.cells[m] = {};
        for (const g of sweepMatrix.groups) {
          const cell = byCell.get(`${m}\u0000${g.group}`) ?? [];
          const fail = cell.find((f) => f.status === 'fail');
          sweepMatrix.cells[m][g.group] = fail ? fail.code : cell.some((f) => f.code === 'NO_CHANNEL_FOR_MODEL') ? 'not-offered' : '';
        }
      }
    }
    const single = sweep ? undefined : targets[0];
    if (snap.logs) run.findings = mergeLogEvidence(run.findings, snap.logs, single);
    // The answer the user saw (--seen-*) or --live got, judged against every finding above.
    const judged = judgeAnswers(snap, single, run.findings);
    run.findings.push(...judged.findings);
    const stages = stageResults(run, notesFor(ctx, snap, single, sweep));
    const sums = summaries(snap, single, sweepMatrix);
    for (const s of stages) if (sums[s.id] && s.status !== 'skip') s.summary = sums[s.id];
    const verdict = verdictOf(run.findings, stages, [], judged.answer);
    const doc = buildDocument({
      version: opts.version,
      target: targetOf(ctx, single),
      verdict,
      stages,
      findings: run.findings,
      durationMs: Math.round(performance.now() - started),
      relay: {
        product: snap.product.product,
        build: snap.product.build,
        evidence: snap.product.evidence,
        database: snap.db.redacted,
        memoryCache: snap.settings.memoryCacheOn,
        syncFrequency: snap.settings.syncFrequency,
      },
      sweep: sweepMatrix,
      notImplemented: [...ctx.notImplemented],
      seen: judged.seen,
      liveAnswer: judged.live,
      logs: snap.logs ? logsSummary(snap.logs) : undefined,
    });
    // Exit 1 whenever a fail finding exists, also when the verdict is inconclusive about the answer seen.
    return { doc, exitCode: verdict.status === 'unhealthy' || run.findings.some((f) => f.status === 'fail') ? 1 : 0 };
  } finally {
    await db.close().catch(() => undefined);
  }
}
