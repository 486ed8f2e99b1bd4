// The fix commands' data: plan rows, the contract's fix document, and what apply reports.

export type FixCommand = 'fix-groups' | 'fix-abilities';
export type FixMode = 'dry-run' | 'apply' | 'undo';

/** An abilities row is identified by its primary key. */
export interface AbilityKey {
  group: string;
  model: string;
  channelId: number;
}

export type RowId = number | AbilityKey;

/** One planned change, as the contract names it. `column` is '*' when a whole row is added or removed. */
export interface PlanRow {
  table: string;
  id: RowId;
  column: string;
  before: unknown;
  after: unknown;
  reason: string;
}

export interface Skipped {
  id: RowId;
  reason: string;
  table?: string;
}

/** The contract's fix document (`--json`), plus fields the contract allows us to add. */
export interface FixDocument {
  schemaVersion: 1;
  tool: { name: 'relay-doctor'; version: string };
  command: FixCommand;
  mode: FixMode;
  database?: string;
  plan: PlanRow[];
  applied: number;
  skipped: Skipped[];
  backup: string | null;
  cacheInvalidated: string[];
  /** Set when the run stopped (exit 3): what stopped it. */
  error?: { code: string; message: string };
  /** fix-groups: the models in question and the target group with the reason it was chosen. */
  models?: { list: string[]; from: 'flag' | 'profile' };
  target?: { group: string; why: string };
  /** fix-abilities: counts and the groups whose absence makes the relay's cache rebuild panic. */
  counts?: Record<string, number>;
  panicGroups?: { channelId: number; group: string }[];
  /** Rows that need a change the plan cannot make (and why). */
  unfixable?: Skipped[];
  /** The statements apply runs (values inlined for reading; apply binds them). */
  sql?: string[];
  warnings: string[];
  /** What happens next: cache windows, re-probe commands, the relay's own rebuild. */
  notes: string[];
  undoOf?: string;
  relay?: { url: string; used: boolean; answer?: unknown };
}

export interface FixOutcome {
  doc: FixDocument;
  exitCode: number;
}

export function emptyDocument(command: FixCommand, mode: FixMode, version: string, database?: string): FixDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'relay-doctor', version },
    command,
    mode,
    database,
    plan: [],
    applied: 0,
    skipped: [],
    backup: null,
    cacheInvalidated: [],
    warnings: [],
    notes: [],
  };
}

/** Apply exit codes (contract): 0 when every planned row was applied, 1 when some were skipped. */
export function applyExitCode(doc: FixDocument): number {
  if (doc.mode === 'dry-run') return 0;
  return doc.skipped.length > 0 || doc.applied < doc.plan.length ? 1 : 0;
}
