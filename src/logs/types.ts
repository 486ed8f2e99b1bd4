import type { FindingStatus, StageId } from '../types.js';
import type { LogCode } from './codes.js';

export type LineKind =
  | 'level' // new-api [INFO|WARN|ERR|DEBUG] and [SYS]/[FATAL] lines
  | 'oneapi' // one-api lines with file:line [func]
  | 'gin' // access log
  | 'tagged' // [DEBUG Bltcy], [ERROR Bltcy], [Distributor], [GIN-debug], …
  | 'panic' // panic: / fatal error: header
  | 'dump' // goroutine dump and stack lines after a panic
  | 'golog' // Go's standard log prefix (GORM included)
  | 'blank'
  | 'unknown';

export interface GinFields {
  status: number;
  latencyMs: number;
  latencyText: string;
  ip: string;
  method: string;
  path: string;
  /** NA-main's relay|api|web column. */
  scope?: string;
}

export interface ParsedLine {
  kind: LineKind;
  /** INFO, WARN, ERR, ERROR, DEBUG, SYS, FATAL */
  level?: string;
  /** Epoch ms of the line's own timestamp. */
  time?: number;
  requestId?: string;
  userId?: number;
  /** The text after every prefix. */
  message: string;
  /** Bracket tag: `DEBUG Bltcy`, `ERROR Bltcy`, `Distributor`, `CacheRetry`, … */
  tag?: string;
  gin?: GinFields;
  /** one-api's source location. */
  source?: string;
  /** A known prefix whose rest could not be parsed (cut lines). */
  partial?: boolean;
}

/** One signature match on one line (or logs-table row). */
export interface Hit {
  signature: string;
  code: LogCode;
  status?: FindingStatus;
  title: string;
  channel?: number;
  model?: string;
  group?: string;
  path?: string;
  /** Short distinguishing text (Go error kind, status, reason); redacted before output. */
  detail?: string;
}

/** The contract's cluster, plus fields the contract allows us to add. */
export interface Cluster {
  code: string;
  stage: StageId;
  status: FindingStatus;
  signature: string;
  title: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  channels: number[];
  models: string[];
  groups: string[];
  requestIds: string[];
  example: string;
  /** Distinct request ids seen (counted up to a cap). */
  requests: number;
  paths: string[];
  details: { text: string; count: number }[];
}

export interface TimelineBucket {
  /** Start of the minute, ISO 8601 UTC. */
  minute: string;
  lines: number;
  matched: number;
  fail: number;
  warn: number;
  http5xx: number;
}

export interface StoryLine {
  line: number;
  file?: string;
  time: string | null;
  text: string;
}

export interface LogAnalysis {
  lines: number;
  unknownLines: number;
  partialLines: number;
  /** Lines outside --since/--until. */
  skippedLines: number;
  /** Logs-table rows analysed (counted in `lines` too). */
  rows: number;
  clusters: Cluster[];
  timeline: TimelineBucket[];
  stories: Record<string, StoryLine[]>;
  /** Access-log status classes: 2xx, 3xx, 4xx, 5xx. */
  statusCounts: Record<string, number>;
  firstTime: string | null;
  lastTime: string | null;
}

/** A row of the relay's `logs` table, with the `other` JSON unpacked. */
export interface LogRow {
  id: number;
  createdAt: number;
  type: number;
  content: string;
  model?: string;
  group?: string;
  channelId?: number;
  channelName?: string;
  tokenName?: string;
  userId?: number;
  useTime?: number;
  statusCode?: number;
  errorCode?: string;
  errorType?: string;
  requestPath?: string;
  requestId?: string;
  useChannels?: number[];
  /** `other` was present but not valid JSON. */
  otherInvalid?: boolean;
}
