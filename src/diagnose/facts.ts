import type { RunContext } from '../context/types.js';
import type { Engine } from '../db/types.js';
import type { NodeOptions } from '../admin/options-gatherer.js';
import type { AbilityFacts, GroupUse } from '../data/load.js';
import type { Schema } from '../data/schema.js';
import type { ChannelRow, OptionMap, TokenRow, UserRow } from '../relay/model.js';
import type { ProductInfo } from '../relay/product.js';
import type { RouteMatch } from '../relay/routes.js';
import type { Selection } from '../relay/select.js';
import type { RelaySettings } from '../relay/settings.js';
import type { LiveFacts } from '../live/types.js';
import type { LogFacts } from '../logs/gatherer.js';
import type { UpstreamFacts } from '../probe/gatherer.js';
import type { ParsedKey, UsingGroup } from '../relay/token.js';

/** Everything read from the relay's database and environment, once, before any check runs. */
export interface Snapshot {
  run: RunContext;
  db: { engine: Engine; redacted: string; connectMs: number; pingMs: number };
  schema: Schema;
  product: ProductInfo;
  settings: RelaySettings;
  options: OptionMap;
  channels: readonly ChannelRow[];
  channelsById: ReadonlyMap<number, ChannelRow>;
  abilities: AbilityFacts;
  redis?: { ok: boolean; ms?: number; error?: string };
  /** Sweep only: active tokens by (token group, owner group). */
  groupUse?: GroupUse[];
  /** Sweep only: stored keys the relay can never match. */
  malformedKeys?: { ids: number[]; count: number };
  /** The relay's logs (--log-file, --db-logs). */
  logs?: LogFacts;
  /** Live evidence: relay probes, Redis hashes, the answer the user saw (src/live). */
  live?: LiveFacts;
  /** Options each running node holds (GET /api/option/ with --admin-token). */
  liveOptions?: NodeOptions[];
  /** The selected channels' upstreams reached directly (src/probe). */
  upstream?: UpstreamFacts;
}

export interface TokenFacts {
  /** How the caller identified the token. */
  by: 'key' | 'id' | 'name';
  parsed?: ParsedKey;
  /** All rows matching (soft-deleted included). */
  rows: TokenRow[];
  token?: TokenRow;
  user?: UserRow;
  userLookedUp: boolean;
}

/** One request under diagnosis: the user's target, or one cell of the sweep. */
export interface TargetFacts {
  label: string;
  cell?: { model: string; group: string; tokens?: number };
  method: string;
  path?: string;
  route?: RouteMatch;
  /** The request reaches the Bltcy passthrough (its route's handler, or a passthrough routing model in a sweep). */
  passthrough: boolean;
  /** The routing model and where it came from. */
  model?: string;
  modelFrom?: 'route' | '--model' | 'body' | 'sweep';
  token?: TokenFacts;
  /** The using group, when it could be determined. */
  group?: string;
  groupFrom?: 'token' | 'user' | '--group' | 'sweep';
  usingGroup?: UsingGroup;
  /** What channel selection yields for (group, model), when both are known. */
  selection?: Selection;
  /** Channels the request would use (the first-attempt tier), for the channel stage. */
  channels: ChannelRow[];
}

export interface CheckContext {
  snap: Snapshot;
  target: TargetFacts;
}
