import type { Catalogue } from '../bag.js';
import { cache } from './cache.js';
import { channel } from './channel.js';
import { distribute } from './distribute.js';
import { environment } from './environment.js';
import { route } from './route.js';
import { token } from './token.js';
import { upstream } from './upstream.js';

/** Chinese message and remedy per finding code, stage by stage. */
export const ZH: Catalogue = { ...environment, ...route, ...token, ...distribute, ...cache, ...channel, ...upstream };
