import type { Check } from './types.js';
import { cacheMode } from './environment/cache-mode.js';
import { dbSpeed } from './environment/db-speed.js';
import { dsnRules } from './environment/dsn.js';
import { optionJson } from './environment/option-json.js';
import { redisHealth } from './environment/redis.js';
import { schemaBehind } from './environment/schema-behind.js';
import { mediaUrls } from './route/media-urls.js';
import { pollRouting } from './route/poll-routing.js';
import { modelResolve } from './route/model-resolve.js';
import { routeMatch } from './route/route-match.js';
import { tokenGroup } from './token/token-group.js';
import { tokenIp } from './token/token-ip.js';
import { tokenLookup } from './token/token-lookup.js';
import { tokenModels } from './token/token-models.js';
import { tokenOwner } from './token/token-owner.js';
import { tokenPopulation } from './token/population.js';
import { tokenState } from './token/token-state.js';
import { abilitiesDangling } from './distribute/abilities-dangling.js';
import { abilitiesPanic } from './distribute/abilities-panic.js';
import { abilitiesSync } from './distribute/abilities-sync.js';
import { channelAvailability } from './distribute/channel-availability.js';
import { listWhitespace } from './distribute/list-whitespace.js';
import { weightStarved } from './distribute/weight-starved.js';
import { cacheWindow } from './cache/cache-window.js';
import { optionsStale } from './cache/options-stale.js';
import { probeMayHeal } from './cache/probe-may-heal.js';
import { redisHashes } from './cache/redis-hashes.js';
import { relayRouting } from './cache/relay-routing.js';
import { relayStatus } from './cache/relay-status.js';
import { relayToken } from './cache/relay-token.js';
import { routeDeployed } from './cache/route-deployed.js';
import { baseUrl } from './channel/base-url.js';
import { channelKeys } from './channel/keys.js';
import { channelTypeCheck } from './channel/channel-type.js';
import { jsonFields } from './channel/json-fields.js';
import { modelPrice } from './channel/price.js';
import { passthroughCredentials } from './channel/passthrough-credentials.js';
import { rowReadable } from './channel/row-readable.js';
import { upstreamProbes } from './upstream/probe-results.js';
import { upstreamFaultSide } from './upstream/fault-side.js';

/** Database-side checks, in the relay's request order (the report keeps this order). */
export const CHECKS: readonly Check[] = [
  // environment
  dbSpeed,
  dsnRules,
  redisHealth,
  cacheMode,
  optionJson,
  schemaBehind,
  // route
  routeMatch,
  modelResolve,
  mediaUrls,
  pollRouting,
  routeDeployed,
  // token
  tokenLookup,
  tokenState,
  tokenOwner,
  tokenGroup,
  tokenModels,
  tokenIp,
  tokenPopulation,
  relayToken,
  // distribute
  channelAvailability,
  abilitiesSync,
  abilitiesPanic,
  abilitiesDangling,
  listWhitespace,
  weightStarved,
  // cache (database side, then the running relay and its Redis)
  cacheWindow,
  relayStatus,
  relayRouting,
  redisHashes,
  optionsStale,
  probeMayHeal,
  // channel
  rowReadable,
  baseUrl,
  channelKeys,
  channelTypeCheck,
  jsonFields,
  modelPrice,
  passthroughCredentials,
  // upstream (probes gathered before the checks)
  upstreamProbes,
  upstreamFaultSide,
];
