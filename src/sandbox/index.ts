// The sandbox: a simulated relay (BF or new-api 0.9.x) and a scriptable upstream, for
// `relay-doctor demo` and for tests. See types.ts for the API.

export { startRelay } from './relay.js';
export { startUpstream } from './upstream.js';
export { tokenHashKey, userHashKey } from './redis.js';
export type {
  BillingRecord,
  CacheView,
  RebuildResult,
  RelayCounters,
  RelayHandle,
  RelayOptions,
  RelayState,
  RequestRecord,
  SandboxProduct,
  UpstreamCall,
  UpstreamCalls,
  UpstreamHandle,
  UpstreamMode,
  UpstreamScript,
} from './types.js';
