// The sandbox: a simulated relay (BF, the Bltcy fork, or new-api 0.9.16) and a scriptable
// upstream (a new-api-style legacy gateway), both on 127.0.0.1, for `relay-doctor demo` and tests.
// It re-implements the relay from the reference (RB) and never imports src/relay, src/checks,
// src/data or src/diagnose. Types and every option: types.ts.
//
//   const up = await startUpstream({ key: channelKey, mode: '5xx' });   // the legacy gateway
//   const relay = await startRelay({ db: target, env: { SYNC_FREQUENCY: '3', MEMORY_CACHE_ENABLED: 'true' } });
//   relay.freezeCache(true);          // this node stops syncing: edit the database, it stays stale
//   …probe relay.url…
//   relay.freezeCache(false); await relay.nextSync();   // healed after one sync
//   relay.requests.upstreamCalls, relay.requests.billing, up.calls.count   // proof of no cost
//   await relay.stop(); await up.close();

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
