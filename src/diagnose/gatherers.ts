import type { Gatherer } from './gather.js';
import { adminOptionsGatherer } from '../admin/options-gatherer.js';
import { answerGatherer, redisGatherer, relayGatherer } from '../live/gatherers.js';
import { upstreamGatherer } from '../probe/gatherer.js';
import { logsGatherer } from '../logs/gatherer.js';

/** Registered gatherers (live relay, Redis, upstream probes, logs). Order does not matter. */
export const GATHERERS: Gatherer[] = [adminOptionsGatherer, relayGatherer, redisGatherer, answerGatherer, upstreamGatherer, logsGatherer];
