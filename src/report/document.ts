import type { Finding, StageId, StageResult, Target, Verdict } from '../types.js';
import type { AnswerReport } from '../live/judge.js';

export interface SweepMatrix {
  models: string[];
  groups: { group: string; tokens: number }[];
  /** cells[model][group] = first fail code, '' when servable, 'info' when not offered. */
  cells: Record<string, Record<string, string>>;
}

/** What the relay's logs held (--log-file, --db-logs). */
export interface LogsSummary {
  sources: string[];
  lines: number;
  unknownLines: number;
  clusters: number;
  firstTime: string | null;
  lastTime: string | null;
  /** The last relevant lines, redacted, oldest first. */
  lastLines: string[];
  dbError?: string;
}

export interface DiagnoseDocument {
  schemaVersion: 1;
  tool: { name: 'relay-doctor'; version: string };
  target: Target;
  verdict: Verdict;
  stages: StageResult[];
  findings: Finding[];
  durationMs: number;
  relay?: { product: string; build: string; evidence: string[]; database: string; memoryCache: boolean; syncFrequency: number };
  sweep?: SweepMatrix;
  notImplemented?: string[];
  /** The answer the user saw (--seen-*), classified, with the branches it can come from. */
  seen?: AnswerReport;
  /** The answer --live got, classified the same way. */
  liveAnswer?: AnswerReport;
  /** Relay settings that matter, by allow-list; secrets only as "set"/"unset" (support bundle). */
  relayEnv?: RelayEnvEntry[];
  /** Log evidence the run read. */
  logs?: LogsSummary;
  /** The checks this run knew, so reports can show the ones that passed too. */
  checks?: { id: string; stage: StageId }[];
}

export interface RelayEnvEntry {
  key: string;
  /** The value for allow-listed settings; "set", "unset" or "set (engine)" for secrets. */
  value: string;
  secret: boolean;
  /** Where the value came from: env-file, process, --env. */
  source?: string;
}

/** The contract's document; stages carry their own findings, `findings` lists them all. */
export function buildDocument(d: Omit<DiagnoseDocument, 'schemaVersion' | 'tool'> & { version: string }): DiagnoseDocument {
  const { version, ...rest } = d;
  const doc: DiagnoseDocument = { schemaVersion: 1, tool: { name: 'relay-doctor', version }, ...rest };
  if (!doc.notImplemented?.length) delete doc.notImplemented;
  return doc;
}
