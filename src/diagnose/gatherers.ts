import type { Gatherer } from './gather.js';

/** Registered gatherers (live relay, Redis, upstream probes, logs). Order does not matter. */
export const GATHERERS: Gatherer[] = [];
