import type { Finding, StageResult, Target, Verdict } from '../types.js';

export interface SweepMatrix {
  models: string[];
  groups: { group: string; tokens: number }[];
  /** cells[model][group] = first fail code, '' when servable, 'info' when not offered. */
  cells: Record<string, Record<string, string>>;
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
}

/** The contract's document; stages carry their own findings, `findings` lists them all. */
export function buildDocument(d: Omit<DiagnoseDocument, 'schemaVersion' | 'tool'> & { version: string }): DiagnoseDocument {
  const { version, ...rest } = d;
  const doc: DiagnoseDocument = { schemaVersion: 1, tool: { name: 'relay-doctor', version }, ...rest };
  if (!doc.notImplemented?.length) delete doc.notImplemented;
  return doc;
}
