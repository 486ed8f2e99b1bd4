// Shared result types. Checks produce Findings; everything else renders them.

export const STAGES = ['environment', 'route', 'token', 'distribute', 'cache', 'channel', 'upstream'] as const;
export type StageId = (typeof STAGES)[number];

export type FindingStatus = 'fail' | 'warn' | 'info';
export type StageStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error';

export interface Remedy {
  text: string;
  commands?: string[];
}

export interface Finding {
  code: string;
  status: FindingStatus;
  stage: StageId;
  message: string;
  subject?: Record<string, unknown>;
  evidence?: Record<string, unknown>;
  remedy?: Remedy;
  /** Which check produced it (not part of the contract's required keys, but useful). */
  check?: string;
}

export interface StageResult {
  id: StageId;
  status: StageStatus;
  findings: Finding[];
  /** Why a stage was skipped or errored. */
  note?: string;
  /** One line on what the stage decided (e.g. the route's handler and model). */
  summary?: string;
}

export interface Verdict {
  status: 'healthy' | 'unhealthy' | 'inconclusive';
  primary?: { code: string; stage: StageId; message: string };
  ranked: string[];
  /** Plain-language summary of why primary was chosen. */
  reason?: string;
}

export interface Target {
  method: string;
  path?: string;
  model?: string;
  group?: string;
  tokenId?: number;
}

/** Raised for problems that must stop the run with a given exit code and one line. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export class RunError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly finding?: Finding,
  ) {
    super(message);
  }
}
