import type { FindingStatus } from '../types.js';
import { parseTimeZone, type TimeZoneSpec } from './clock.js';
import { logCodeInfo } from './codes.js';
import { cleanLine, isDumpLine, parseLine } from './parse.js';
import { excerpt, redact } from './redact.js';
import { isCorrelationLine, Sessions, type Session } from './sessions.js';
import { classifyLine, classifyRow } from './signatures.js';
import type { Cluster, Hit, LogAnalysis, LogRow, ParsedLine, StoryLine, TimelineBucket } from './types.js';

export interface AnalyzeOptions {
  /** Epoch ms; lines before are skipped. */
  since?: number;
  /** Epoch ms; lines at or after are skipped. */
  until?: number;
  /** How to read the relay's zone-less timestamps: 'local' (default), 'utc', '+08:00'. */
  tz?: string | TimeZoneSpec;
  /** Keep the full story of these request ids (prefix match). */
  requestIds?: string[];
  /** Keep short stories for the clusters' sample request ids (default true). */
  sampleStories?: boolean;
  /** Request ids kept per cluster (default 5). */
  sampleIds?: number;
  /** Called for every counted hit, as lines arrive (follow mode). */
  onHit?: (ev: HitEvent) => void;
}

export interface HitEvent {
  time: number | undefined;
  code: string;
  stage: string;
  status: FindingStatus;
  signature: string;
  title: string;
  requestId?: string;
  /** The line, redacted and shortened. */
  text: string;
}

const CAP_SET = 50;
const CAP_REQUESTS = 2000;
const CAP_DETAILS = 20;
const CAP_PATHS = 10;
const RID_LRU = 4096;
const RECENT_IDS = 1024;
const RECENT_LINES = 20;
const SAMPLE_STORIES = 100;
const SAMPLE_STORY_LINES = 200;
const WANTED_STORY_LINES = 10_000;
const MAX_DUMP = 5000;

const RANK: Record<FindingStatus, number> = { fail: 0, warn: 1, info: 2 };

interface Acc {
  code: string;
  signature: string;
  title: string;
  status: FindingStatus;
  count: number;
  first?: number;
  last?: number;
  channels: Set<number>;
  models: Set<string>;
  groups: Set<string>;
  requestIds: string[];
  requests: Set<string>;
  example: string;
  paths: Set<string>;
  details: Map<string, number>;
}

const addCapped = <T>(set: Set<T>, v: T | undefined, cap: number) => {
  if (v !== undefined && set.size < cap) set.add(v);
};

/** Streaming analyser: feed lines (and logs-table rows), then read result(). Memory stays bounded. */
export class LogAnalyzer {
  private readonly tz: TimeZoneSpec;
  private readonly sampleIds: number;
  private readonly stories: boolean;
  private n = 0;
  private lines = 0;
  private unknown = 0;
  private partial = 0;
  private skipped = 0;
  private rows = 0;
  private lastTime: number | undefined;
  private firstTime: number | undefined;
  private maxTime: number | undefined;
  private dump = -1; // lines left in the current goroutine dump, -1 when none
  private readonly clusters = new Map<string, Acc>();
  private readonly timeline = new Map<number, TimelineBucket & { t: number }>();
  private readonly statusCounts: Record<string, number> = {};
  private readonly sessions: Sessions;
  private readonly ridKeys = new Map<string, Set<string>>();
  private readonly recent = new Map<string, StoryLine[]>();
  private readonly kept = new Map<string, StoryLine[]>();

  constructor(private readonly opts: AnalyzeOptions = {}) {
    this.tz = typeof opts.tz === 'object' ? opts.tz : parseTimeZone(opts.tz);
    this.sampleIds = opts.sampleIds ?? 5;
    this.stories = opts.sampleStories !== false || (opts.requestIds?.length ?? 0) > 0;
    this.sessions = new Sessions(this.stories, (s) => this.settle(s, undefined));
  }

  private wanted(rid: string): boolean {
    const w = this.opts.requestIds;
    if (!w || w.length === 0) return false;
    for (const id of w) if (rid.startsWith(id)) return true;
    return false;
  }

  private inWindow(t: number | undefined): boolean {
    if (t === undefined) return true;
    if (this.opts.since !== undefined && t < this.opts.since) return false;
    if (this.opts.until !== undefined && t >= this.opts.until) return false;
    return true;
  }

  private bucket(t: number): TimelineBucket {
    const m = Math.floor(t / 60_000) * 60_000;
    let b = this.timeline.get(m);
    if (!b) {
      b = { t: m, minute: '', lines: 0, matched: 0, fail: 0, warn: 0, http5xx: 0 };
      this.timeline.set(m, b);
    }
    return b;
  }

  /** Feed one raw line (with or without its newline). */
  pushLine(raw: string, file?: string): void {
    this.n++;
    this.lines++;
    const { text, dockerTime } = cleanLine(raw);
    let p: ParsedLine;
    if (this.dump >= 0) {
      const q = text.charCodeAt(0) === 91 ? parseLine(text, this.tz) : undefined;
      if (q && q.kind !== 'unknown') {
        this.dump = -1;
        p = q;
      } else if (this.dump > 0 && isDumpLine(text)) {
        this.dump--;
        p = { kind: 'dump', message: text };
      } else {
        this.dump = -1;
        p = q ?? parseLine(text, this.tz);
      }
    } else {
      p = parseLine(text, this.tz);
    }
    const own = p.time ?? dockerTime;
    if (own !== undefined) this.lastTime = own;
    const t = own ?? this.lastTime;
    if (!this.inWindow(t)) {
      this.skipped++;
      return;
    }
    if (t !== undefined) {
      if (this.firstTime === undefined || t < this.firstTime) this.firstTime = t;
      if (this.maxTime === undefined || t > this.maxTime) this.maxTime = t;
    }
    if (p.kind === 'panic' || (p.kind !== 'dump' && (p.tag === 'Recovery' || p.message.startsWith('stacktrace from panic')))) this.dump = MAX_DUMP;
    if (p.partial) this.partial++;
    const b = t !== undefined ? this.bucket(t) : undefined;
    if (b) b.lines++;
    if (p.gin && !p.partial) {
      const cls = `${Math.floor(p.gin.status / 100)}xx`;
      this.statusCounts[cls] = (this.statusCounts[cls] ?? 0) + 1;
      if (b && p.gin.status >= 500) b.http5xx++;
    }

    const rid = p.requestId;
    const storyLine: StoryLine | undefined = this.stories ? { line: this.n, file, time: t !== undefined ? new Date(t).toISOString() : null, text } : undefined;
    let session: Session | undefined;
    if (isCorrelationLine(p)) session = this.sessions.attach(p, this.n, { n: this.n, file, time: t, text });
    if (rid && p.kind === 'gin' && p.gin && !p.partial) {
      const claimed = this.sessions.claim(p.gin.method, p.gin.path);
      if (claimed) this.attribute(rid, claimed, t);
    }
    if (rid && storyLine) this.remember(rid, storyLine);

    const hits = classifyLine(p);
    if (hits.length === 0) {
      if (p.kind === 'unknown') this.unknown++;
      return;
    }
    // Passthrough lines have no time: their hits are timed by the [GIN] line that claims them.
    const deferred = session !== undefined && own === undefined;
    if (b && !deferred) b.matched++;
    const ex = excerpt(text);
    for (const h of hits) {
      if (session) {
        if (h.channel === undefined && session.channel !== undefined) h.channel = session.channel;
        if (h.model === undefined && session.model !== undefined) h.model = session.model;
        if (h.group === undefined && session.group !== undefined) h.group = session.group;
        if (h.path === undefined) h.path = session.path ?? session.targetPath;
      }
      const key = `${h.signature}|${h.code}`;
      if (rid && this.seenForRequest(rid, h.code)) {
        this.merge(key, h); // same failure of the same request: widen the cluster, do not count the line twice
        continue;
      }
      const status = this.count(key, h, deferred ? undefined : t, ex, rid);
      if (session) session.hits.push({ key, status, n: this.n, carried: t, deferred });
      if (b && !deferred) {
        if (status === 'fail') b.fail++;
        else if (status === 'warn') b.warn++;
      }
      this.opts.onHit?.({ time: t, code: h.code, stage: logCodeInfo(h.code).stage, status, signature: h.signature, title: h.title, requestId: rid, text: ex });
    }
  }

  /** Give a session's untimed hits a time: the claiming [GIN] line's, else the carried one. */
  private settle(s: Session, t: number | undefined): void {
    let lastLine = -1;
    for (const h of s.hits) {
      if (!h.deferred) continue;
      h.deferred = false;
      const when = t ?? h.carried;
      if (when === undefined) continue;
      const c = this.clusters.get(h.key);
      if (c) {
        if (c.first === undefined || when < c.first) c.first = when;
        if (c.last === undefined || when > c.last) c.last = when;
      }
      const b = this.bucket(when);
      if (h.n !== lastLine) b.matched++;
      lastLine = h.n;
      if (h.status === 'fail') b.fail++;
      else if (h.status === 'warn') b.warn++;
    }
  }

  /** Feed one logs-table row. */
  pushRow(r: LogRow): void {
    this.n++;
    this.lines++;
    this.rows++;
    const t = r.createdAt * 1000;
    if (!this.inWindow(t)) {
      this.skipped++;
      return;
    }
    if (this.firstTime === undefined || t < this.firstTime) this.firstTime = t;
    if (this.maxTime === undefined || t > this.maxTime) this.maxTime = t;
    const b = this.bucket(t);
    b.lines++;
    const parts = [`logs #${r.id}`, `type=${r.type}`];
    if (r.channelId !== undefined) parts.push(`channel=${r.channelId}`);
    if (r.model) parts.push(`model=${r.model}`);
    if (r.group !== undefined) parts.push(`group=${r.group}`);
    if (r.statusCode !== undefined) parts.push(`status=${r.statusCode}`);
    if (r.errorCode) parts.push(`error_code=${r.errorCode}`);
    if (r.requestPath) parts.push(`path=${r.requestPath}`);
    const text = `${parts.join(' ')} | ${r.content}`;
    const rid = r.requestId || undefined;
    if (rid && this.stories) this.remember(rid, { line: this.n, time: new Date(t).toISOString(), text });
    const hits = classifyRow(r);
    if (hits.length === 0) {
      if (r.type === 5) this.unknown++;
      return;
    }
    b.matched++;
    const ex = excerpt(text);
    for (const h of hits) {
      const key = `${h.signature}|${h.code}`;
      const status = this.count(key, h, t, ex, rid);
      if (status === 'fail') b.fail++;
      else if (status === 'warn') b.warn++;
      this.opts.onHit?.({ time: t, code: h.code, stage: logCodeInfo(h.code).stage, status, signature: h.signature, title: h.title, requestId: rid, text: ex });
    }
  }

  /** One request id, one code: a request's several lines about the same failure count once. */
  private seenForRequest(rid: string, code: string): boolean {
    let set = this.ridKeys.get(rid);
    if (set?.has(code)) return true;
    if (!set) {
      set = new Set();
      this.ridKeys.set(rid, set);
      if (this.ridKeys.size > RID_LRU) this.ridKeys.delete(this.ridKeys.keys().next().value!);
    }
    set.add(code);
    return false;
  }

  private merge(key: string, h: Hit): void {
    const c = this.clusters.get(key);
    if (!c) return;
    addCapped(c.channels, h.channel, CAP_SET);
    addCapped(c.models, h.model, CAP_SET);
    addCapped(c.groups, h.group, CAP_SET);
  }

  private count(key: string, h: Hit, t: number | undefined, example: string, rid: string | undefined): FindingStatus {
    const status = h.status ?? logCodeInfo(h.code).status;
    let c = this.clusters.get(key);
    if (!c) {
      c = {
        code: h.code,
        signature: h.signature,
        title: h.title,
        status,
        count: 0,
        channels: new Set(),
        models: new Set(),
        groups: new Set(),
        requestIds: [],
        requests: new Set(),
        example,
        paths: new Set(),
        details: new Map(),
      };
      this.clusters.set(key, c);
    }
    c.count++;
    if (RANK[status] < RANK[c.status]) c.status = status;
    if (t !== undefined) {
      if (c.first === undefined || t < c.first) c.first = t;
      if (c.last === undefined || t > c.last) c.last = t;
    }
    addCapped(c.channels, h.channel, CAP_SET);
    addCapped(c.models, h.model, CAP_SET);
    addCapped(c.groups, h.group, CAP_SET);
    addCapped(c.paths, h.path, CAP_PATHS);
    if (h.detail !== undefined) {
      const d = redact(h.detail);
      if (c.details.has(d)) c.details.set(d, c.details.get(d)! + 1);
      else if (c.details.size < CAP_DETAILS) c.details.set(d, 1);
    }
    if (rid) this.addRequest(c, rid);
    return status;
  }

  private addRequest(c: Acc, rid: string): void {
    if (c.requests.size < CAP_REQUESTS) c.requests.add(rid);
    if (c.requestIds.length < this.sampleIds && !c.requestIds.includes(rid)) {
      c.requestIds.push(rid);
      this.keep(rid);
    }
  }

  /** A [GIN] line claimed a session: its passthrough lines belong to this request. */
  private attribute(rid: string, s: Session, t: number | undefined): void {
    this.settle(s, t);
    for (const { key } of s.hits) {
      const c = this.clusters.get(key);
      if (!c) continue;
      this.addRequest(c, rid);
      this.seenForRequest(rid, c.code);
    }
    if (!this.stories || s.lines.length === 0) return;
    this.remember(rid, ...s.lines.map((l) => ({ line: l.n, file: l.file, time: l.time !== undefined ? new Date(l.time).toISOString() : null, text: l.text })));
  }

  private remember(rid: string, ...lines: StoryLine[]): void {
    const kept = this.kept.get(rid);
    if (kept) {
      const cap = this.wanted(rid) ? WANTED_STORY_LINES : SAMPLE_STORY_LINES;
      for (const l of lines) if (kept.length < cap) kept.push(l);
      return;
    }
    if (this.wanted(rid)) {
      this.keep(rid)!.push(...lines);
      return;
    }
    let r = this.recent.get(rid);
    if (!r) {
      r = [];
      this.recent.set(rid, r);
      if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.keys().next().value!);
    }
    for (const l of lines) if (r.length < RECENT_LINES) r.push(l);
  }

  /** Start keeping a request's story (promoting what was seen recently). */
  private keep(rid: string): StoryLine[] | undefined {
    if (!this.stories) return undefined;
    let k = this.kept.get(rid);
    if (k) return k;
    if (!this.wanted(rid) && this.kept.size >= SAMPLE_STORIES + (this.opts.requestIds?.length ?? 0) * 10) return undefined;
    k = this.recent.get(rid) ?? [];
    this.recent.delete(rid);
    this.kept.set(rid, k);
    return k;
  }

  result(): LogAnalysis {
    for (const s of this.sessions.drain()) this.settle(s, undefined);
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    const clusters: Cluster[] = [...this.clusters.values()]
      .map((c) => ({
        code: c.code,
        stage: logCodeInfo(c.code).stage,
        status: c.status,
        signature: c.signature,
        title: c.title,
        count: c.count,
        firstSeen: iso(c.first),
        lastSeen: iso(c.last),
        channels: [...c.channels].sort((a, b) => a - b),
        models: [...c.models],
        groups: [...c.groups],
        requestIds: [...c.requestIds],
        example: c.example,
        requests: c.requests.size,
        paths: [...c.paths],
        details: [...c.details].map(([text, count]) => ({ text, count })).sort((a, b) => b.count - a.count),
      }))
      .sort((a, b) => RANK[a.status] - RANK[b.status] || b.count - a.count || a.code.localeCompare(b.code));
    const stories: Record<string, StoryLine[]> = {};
    const wantedOnly = (this.opts.requestIds?.length ?? 0) > 0;
    for (const [rid, lines] of this.kept) {
      if (wantedOnly && !this.wanted(rid)) continue;
      stories[rid] = [...lines].sort((a, b) => a.line - b.line).map((l) => ({ ...l, text: redact(l.text) }));
    }
    return {
      lines: this.lines,
      unknownLines: this.unknown,
      partialLines: this.partial,
      skippedLines: this.skipped,
      rows: this.rows,
      clusters,
      timeline: [...this.timeline.values()]
        .sort((a, b) => a.t - b.t)
        .map(({ t, ...rest }) => ({ ...rest, minute: new Date(t).toISOString() })),
      stories,
      statusCounts: { ...this.statusCounts },
      firstTime: iso(this.firstTime),
      lastTime: iso(this.maxTime),
    };
  }
}

function isAsync<T>(x: AsyncIterable<T> | Iterable<T>): x is AsyncIterable<T> {
  return typeof (x as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/** Analyse a stream of log lines with constant memory. */
export async function analyzeLines(lines: AsyncIterable<string> | Iterable<string>, opts: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const a = new LogAnalyzer(opts);
  if (isAsync(lines)) for await (const l of lines) a.pushLine(l);
  else for (const l of lines) a.pushLine(l);
  return a.result();
}

/** Analyse logs-table rows (see readLogsTable). */
export async function analyzeRows(rows: AsyncIterable<LogRow> | Iterable<LogRow>, opts: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const a = new LogAnalyzer(opts);
  if (isAsync(rows)) for await (const r of rows) a.pushRow(r);
  else for (const r of rows) a.pushRow(r);
  return a.result();
}
