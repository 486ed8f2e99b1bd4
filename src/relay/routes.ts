import type { Product } from '../context/dsn.js';
import { UsageError } from '../types.js';

// The relays' route tables as data (RB §8.1–§8.3, §9) and gin's matching rules, so a
// (method, path, body) can be traced to the route, chain, handler and routing model exactly as
// the relay would. Sources beyond RB: router/relay-router.go and router/video-router.go of
// ZeoXel/new-api main 2025-12-29 (BF) and of QuantumNous/new-api (NA-main), router/relay.go
// of songquanpeng/one-api, and router/dashboard.go of all three.

export type Profile = Product;

/** Where the model that selects the channel comes from. */
export type ModelSource =
  /** A constant, possibly set by a converter in front of TokenAuth (`via`). */
  | { kind: 'fixed'; model: string; via?: string }
  /** The request body's `model` (JSON; `forms`: form and multipart bodies too). */
  | {
      kind: 'json-body';
      default?: string;
      /** Appended to a non-empty model (NA-main /v1/responses/compact). */
      suffix?: string;
      /** Route parameter used when the body has no model (`/v1/engines/:model/embeddings`). */
      fallbackParam?: string;
      /** Body fields read, in order, when not `model` (converters: Kling model_name, Jimeng req_key). */
      fields?: string[];
      forms?: boolean;
      via?: string;
    }
  /** A form or multipart field (JSON bodies are read too), with a default. */
  | { kind: 'form-field'; field: string; default?: string }
  /** The path segment after /models/ and before ':' (`/v1beta/models/{m}:action`). */
  | { kind: 'path-segment' }
  | { kind: 'query'; param: string }
  /** `mj_<action>` (or `swap_face`) from the Midjourney path and body. */
  | { kind: 'midjourney' }
  /** `suno_<action>` from the `:action` route parameter (upstream new-api). */
  | { kind: 'suno-action' }
  /** The part of `:param` before ':' when it starts with `prefix`, else `default` (BF GET /v1/videos/:id). */
  | { kind: 'id-prefix-or-default'; param: string; prefix: string; default: string }
  /** Multipart field, else `default`; a JSON body's `model` otherwise (BF POST /v1/videos). */
  | { kind: 'multipart-or-default'; field: string; default: string }
  /** No channel is selected by model (no Distribute, a task fetch, a pinned channel). */
  | { kind: 'none'; reason?: string }
  /** A channel must be selected but nothing names the model (BF GET /feed/:id). */
  | { kind: 'unresolvable'; reason: string };

export interface RouteDef {
  /** gin pattern, e.g. '/runwayml/*path', '/suno/fetch/:id'. */
  pattern: string;
  methods: string[] | 'ANY';
  /** Route middleware in order, handler excluded; global middleware (CORS, request id) omitted. */
  chain: string[];
  handler: string;
  model: ModelSource;
  /** Reaches RelayBltcy directly, or through RelayTask when the selected channel has type 55. */
  passthrough: boolean;
  /** Channel types the handler is written for. */
  expectsChannelType?: number[];
  /** Code date the route appeared in the profile's relay. */
  since?: string;
  note?: string;
}

/** Operator-defined passthrough prefix of a modified fork (config file entry). */
export interface CustomRoute {
  prefix: string;
  model: string;
  handler?: string;
}

export interface RouteMatch {
  matched: RouteDef | undefined;
  params: Record<string, string>;
  /** Routing model as Distribute holds it (undefined when empty or when Distribute does not run). */
  model?: string;
  modelSource: ModelSource;
  /** Distribute selects a channel by (group, model) for this request. */
  selectsChannel: boolean;
  /** Why the relay rejects the request before or while deriving the model. */
  modelProblem?: string;
  problemStatus?: number;
  /** The same answer in other builds or languages of the profile. */
  problemVariants?: string[];
  /** RB §9: what NoRoute answers when nothing matched and no redirect applies. */
  unmatchedAnswer?: 'html-200' | 'json-404';
  /** Body message of the 404 answer. */
  notFoundMessage?: string;
  trailingSlash?: { redirectTo: string; status: 301 | 307 };
  /** The path exists for other methods only; gin falls through to NoRoute (no 405). */
  methodNotRegistered?: boolean;
  /** OPTIONS: the CORS middleware answers 204 before any route runs (when an Origin is sent). */
  preflight?: boolean;
}

export const GIN_ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE'];

// ---------------------------------------------------------------- route tables

const NONE = (reason?: string): ModelSource => (reason ? { kind: 'none', reason } : { kind: 'none' });
const FIXED = (model: string, via?: string): ModelSource => (via ? { kind: 'fixed', model, via } : { kind: 'fixed', model });
const BODY: ModelSource = { kind: 'json-body' };

function rt(pattern: string, methods: string[] | 'ANY', chain: string[], handler: string, model: ModelSource, more: Partial<RouteDef> = {}): RouteDef {
  return { pattern, methods, chain, handler, model, passthrough: false, ...more };
}

const TOKEN = ['TokenAuth'];
const DASHBOARD = ['GlobalAPIRateLimit', 'TokenAuth'];

function dashboardRoutes(): RouteDef[] {
  return ['/dashboard/billing/subscription', '/v1/dashboard/billing/subscription', '/dashboard/billing/usage', '/v1/dashboard/billing/usage'].map((p) =>
    rt(p, ['GET'], DASHBOARD, p.endsWith('usage') ? 'GetUsage' : 'GetSubscription', NONE('no Distribute')),
  );
}

/** The /v1 relay routes new-api and the fork share (router/relay-router.go). */
function newApiV1(v1: string[], bodies: boolean, compact: boolean): RouteDef[] {
  const jb = (more: { default?: string; suffix?: string; fallbackParam?: string } = {}): ModelSource =>
    bodies ? { kind: 'json-body', forms: true, ...more } : { kind: 'json-body', ...more };
  const body = jb();
  const relay = (p: string, model: ModelSource = body) => rt(p, ['POST'], v1, 'Relay', model);
  const notImpl = (p: string, m: string) => rt(p, [m], v1, 'RelayNotImplemented', body, { note: 'answers 501 after Distribute, which still needs a model' });
  const out = [
    rt('/v1/models', ['GET'], TOKEN, 'ListModels', NONE('no Distribute')),
    rt('/v1/models/:model', ['GET'], TOKEN, 'RetrieveModel', NONE('no Distribute')),
    rt('/v1beta/models', ['GET'], TOKEN, 'ListModels', NONE('no Distribute')),
    rt('/v1beta/openai/models', ['GET'], TOKEN, 'ListModels', NONE('no Distribute')),
    rt('/pg/chat/completions', ['POST'], ['UserAuth', 'Distribute'], 'Playground', body, { note: 'session auth; body group overrides the using group' }),
    rt('/v1/realtime', ['GET'], v1, 'Relay', { kind: 'query', param: 'model' }),
    relay('/v1/messages'),
    relay('/v1/completions'),
    relay('/v1/chat/completions'),
    relay('/v1/responses'),
    ...(compact ? [relay('/v1/responses/compact', jb({ suffix: '-openai-compact' }))] : []),
    relay('/v1/edits'),
    relay('/v1/images/generations', jb({ default: 'dall-e' })),
    relay('/v1/images/edits', { kind: 'form-field', field: 'model' }),
    relay('/v1/embeddings'),
    relay('/v1/audio/transcriptions', { kind: 'form-field', field: 'model', default: 'whisper-1' }),
    relay('/v1/audio/translations', { kind: 'form-field', field: 'model', default: 'whisper-1' }),
    relay('/v1/audio/speech', jb({ default: 'tts-1' })),
    relay('/v1/rerank'),
    relay('/v1/engines/:model/embeddings', jb({ fallbackParam: 'model' })),
    relay('/v1/models/*path', { kind: 'path-segment' }),
    relay('/v1/moderations', jb({ default: 'text-moderation-stable' })),
    notImpl('/v1/images/variations', 'POST'),
    notImpl('/v1/files', 'GET'),
    notImpl('/v1/files', 'POST'),
    notImpl('/v1/files/:id', 'DELETE'),
    notImpl('/v1/files/:id', 'GET'),
    notImpl('/v1/files/:id/content', 'GET'),
    notImpl('/v1/fine-tunes', 'POST'),
    notImpl('/v1/fine-tunes', 'GET'),
    notImpl('/v1/fine-tunes/:id', 'GET'),
    notImpl('/v1/fine-tunes/:id/cancel', 'POST'),
    notImpl('/v1/fine-tunes/:id/events', 'GET'),
    notImpl('/v1/models/:model', 'DELETE'),
  ];
  return out;
}

function mjRoutes(chain: string[], notify: boolean, expects: number[]): RouteDef[] {
  const out: RouteDef[] = [];
  for (const base of ['/mj', '/:mode/mj']) {
    out.push(rt(`${base}/image/:id`, ['GET'], [], 'RelayMidjourneyImage', NONE('no TokenAuth, no Distribute')));
    const mj = (p: string, m: string, model: ModelSource = { kind: 'midjourney' }) =>
      rt(base + p, [m], chain, 'RelayMidjourney', model, { expectsChannelType: expects });
    for (const a of ['action', 'shorten', 'modal', 'imagine', 'change', 'simple-change', 'describe', 'blend', 'edits', 'video']) out.push(mj(`/submit/${a}`, 'POST'));
    if (notify) out.push(mj('/notify', 'POST', NONE('Midjourney notify')));
    out.push(mj('/task/:id/fetch', 'GET', NONE('task fetch')));
    out.push(mj('/task/:id/image-seed', 'GET', NONE('task image seed')));
    out.push(mj('/task/list-by-condition', 'POST', NONE('task list')));
    out.push(mj('/insight-face/swap', 'POST'));
    out.push(mj('/submit/upload-discord-images', 'POST'));
  }
  return out;
}

const MJ_TYPES = [2, 5];

function bltcyTable(): RouteDef[] {
  const v1 = ['TokenAuth', 'ModelRequestRateLimit', 'Distribute'];
  const td = ['TokenAuth', 'Distribute'];
  const bltcy = (p: string, methods: string[] | 'ANY', model: ModelSource, more: Partial<RouteDef> = {}) =>
    rt(p, methods, td, 'RelayBltcy', model, { passthrough: true, expectsChannelType: [55], ...more });
  const task = (p: string, m: string, model: ModelSource, more: Partial<RouteDef> = {}) =>
    rt(p, [m], td, 'RelayTask', model, { passthrough: model.kind !== 'none' && model.kind !== 'unresolvable', ...more });
  const kling = ['KlingRequestConvert', 'TokenAuth', 'Distribute'];
  const sora = ['SoraVideosAdapter', 'TokenAuth', 'Distribute'];
  const audio = ['TokenAuth', 'Distribute', 'AudioRequestConvert'];
  return [
    ...dashboardRoutes(),
    ...newApiV1(v1, false, false),
    rt('/v1/workflows/executions/:execute_id', ['GET'], ['TokenAuth', 'ModelRequestRateLimit'], 'GetWorkflowExecution', NONE('no Distribute'), { since: '2025-10-20' }),
    ...mjRoutes(td, true, MJ_TYPES),
    rt('/v1/audio/generations', ['POST'], audio, 'RelayTask', BODY, {
      passthrough: true,
      expectsChannelType: [55, 36],
      since: '2025-10-09',
      note: 'AudioRequestConvert rewrites to /suno/submit/music after Distribute',
    }),
    rt('/v1/audio/generations/:id', ['GET'], audio, 'RelayTask', NONE('task fetch'), { since: '2025-10-09', note: 'rewritten to /suno/fetch/:id' }),
    task('/generate', 'POST', FIXED('suno_music'), { expectsChannelType: [55, 36], since: '2025-10-09' }),
    task('/generate/description-mode', 'POST', FIXED('suno_music'), { expectsChannelType: [55, 36], since: '2025-10-09' }),
    task('/feed/:id', 'GET', { kind: 'unresolvable', reason: 'no rule of getModelRequest names a model for /feed/' }, {
      since: '2025-10-10',
      note: 'answers 400 未指定模型名称 unless the key pins a channel (inferred)',
    }),
    task('/suno/submit/:action', 'POST', FIXED('suno'), { expectsChannelType: [55, 36] }),
    task('/suno/fetch', 'POST', FIXED('suno'), { expectsChannelType: [55, 36] }),
    task('/suno/fetch/:id', 'GET', FIXED('suno'), { expectsChannelType: [55, 36] }),
    ...['/suno/generate', '/suno/generate/description-mode', '/suno/generate/lyrics', '/suno/generate/concat'].map((p) =>
      bltcy(p, ['POST'], FIXED('suno'), { since: '2025-10-14' }),
    ),
    ...['/suno/feed/:ids', '/suno/lyrics/:id', '/suno/credits'].map((p) => bltcy(p, ['GET'], FIXED('suno'), { since: '2025-10-14' })),
    rt('/v1beta/models/*path', ['POST'], v1, 'Relay', { kind: 'path-segment' }),
    bltcy('/runway/*path', 'ANY', FIXED('runway'), { since: '2025-10-11' }),
    bltcy('/runwayml/*path', 'ANY', FIXED('runway'), { since: '2025-10-11' }),
    bltcy('/pika/*path', 'ANY', FIXED('pika'), { since: '2025-10-11' }),
    bltcy('/minimax/*path', 'ANY', FIXED('minimax'), { since: '2025-10-30' }),
    task('/tripo/task', 'POST', FIXED('tripo'), { expectsChannelType: [53, 55], since: '2025-11-13' }),
    task('/tripo/task/:task_id', 'GET', NONE('task fetch'), { since: '2025-11-13' }),
    // router/video-router.go
    task('/v1/video/generations', 'POST', BODY, { note: 'Kling and Jimeng converters route here with their fixed model' }),
    task('/v1/video/generations/:task_id', 'GET', NONE('task fetch (task table)')),
    rt('/v1/videos', ['POST'], sora, 'RelayBltcy', { kind: 'multipart-or-default', field: 'model', default: 'sora-2' }, {
      passthrough: true,
      expectsChannelType: [55],
      since: '2025-10-30',
    }),
    rt('/v1/videos/:id', ['GET'], sora, 'RelayBltcy', { kind: 'id-prefix-or-default', param: 'id', prefix: 'sora-2', default: 'sora-2' }, {
      passthrough: true,
      expectsChannelType: [55],
      since: '2025-10-30',
    }),
    ...['text2video', 'image2video'].flatMap((k) => [
      rt(`/kling/v1/videos/${k}`, ['POST'], kling, 'RelayTask', FIXED('kling', 'KlingRequestConvert'), { passthrough: true, expectsChannelType: [55, 50] }),
      rt(`/kling/v1/videos/${k}/:task_id`, ['GET'], kling, 'RelayTask', FIXED('kling'), { passthrough: true, expectsChannelType: [55, 50] }),
    ]),
    rt('/jimeng/', ['POST'], ['JimengRequestConvert', 'TokenAuth', 'Distribute'], 'RelayTask', FIXED('jimeng', 'JimengRequestConvert'), {
      passthrough: true,
      expectsChannelType: [55, 51],
    }),
  ];
}

function newApiTable(): RouteDef[] {
  // NA-main as RB §8.1 lists it; NA-0.9.x lacks SystemPerformanceCheck, /v1/responses/compact
  // and RelayTaskFetch (it fetches with RelayTask). Newer sources also show a
  // TokenConcurrencyGate after Distribute; RB does not list it, so it is left out.
  const perf = 'SystemPerformanceCheck';
  const v1 = [perf, 'TokenAuth', 'ModelRequestRateLimit', 'Distribute'];
  const td = ['TokenAuth', 'Distribute'];
  const form: ModelSource = { kind: 'json-body', forms: true };
  return [
    ...dashboardRoutes(),
    ...newApiV1(v1, true, true),
    ...mjRoutes([perf, 'TokenAuth', 'Distribute'], false, MJ_TYPES),
    rt('/suno/submit/:action', ['POST'], [perf, ...td], 'RelayTask', { kind: 'suno-action' }, { expectsChannelType: [36] }),
    rt('/suno/fetch', ['POST'], [perf, ...td], 'RelayTaskFetch', NONE('task fetch'), { expectsChannelType: [36] }),
    rt('/suno/fetch/:id', ['GET'], [perf, ...td], 'RelayTaskFetch', NONE('task fetch'), { expectsChannelType: [36] }),
    rt('/v1beta/models/*path', ['POST'], v1, 'Relay', { kind: 'path-segment' }),
    // router/video-router.go
    rt('/v1/videos/:task_id/content', ['GET'], ['TokenOrUserAuth'], 'VideoProxy', NONE('no Distribute')),
    rt('/v1/video/generations', ['POST'], td, 'RelayTask', form),
    rt('/v1/video/generations/:task_id', ['GET'], td, 'RelayTaskFetch', NONE('task fetch')),
    rt('/v1/videos/:task_id/remix', ['POST'], td, 'RelayTask', NONE('remix reuses the task channel')),
    rt('/v1/videos', ['POST'], td, 'RelayTask', form),
    rt('/v1/videos/:task_id', ['GET'], td, 'RelayTaskFetch', NONE('task fetch')),
    ...['text2video', 'image2video'].flatMap((k) => [
      rt(`/kling/v1/videos/${k}`, ['POST'], ['KlingRequestConvert', ...td], 'RelayTask', { kind: 'json-body', fields: ['model_name', 'model'], via: 'KlingRequestConvert' }, { expectsChannelType: [50] }),
      rt(`/kling/v1/videos/${k}/:task_id`, ['GET'], ['KlingRequestConvert', ...td], 'RelayTaskFetch', NONE('task fetch'), { expectsChannelType: [50] }),
    ]),
    rt('/jimeng/', ['POST'], ['JimengRequestConvert', ...td], 'RelayTask', { kind: 'json-body', fields: ['req_key'], via: 'JimengRequestConvert' }, {
      expectsChannelType: [51],
      note: 'Action=CVSync2AsyncGetResult becomes a task fetch',
    }),
  ];
}

function oneApiTable(): RouteDef[] {
  // one-api router/relay.go; the model is read in TokenAuth (JSON body, else form or query).
  const v1 = ['RelayPanicRecover', 'TokenAuth', 'Distribute'];
  const body: ModelSource = { kind: 'json-body', forms: true };
  const relay = (p: string, m = 'POST', model: ModelSource = body) => rt(p, [m], v1, 'Relay', model);
  const ni = (p: string, m: string) => rt(p, [m], v1, 'RelayNotImplemented', body, { note: 'answers 501 after Distribute' });
  const notImpl: [string, string][] = [
    ['/v1/images/edits', 'POST'], ['/v1/images/variations', 'POST'],
    ['/v1/files', 'GET'], ['/v1/files', 'POST'], ['/v1/files/:id', 'DELETE'], ['/v1/files/:id', 'GET'], ['/v1/files/:id/content', 'GET'],
    ['/v1/fine_tuning/jobs', 'POST'], ['/v1/fine_tuning/jobs', 'GET'], ['/v1/fine_tuning/jobs/:id', 'GET'],
    ['/v1/fine_tuning/jobs/:id/cancel', 'POST'], ['/v1/fine_tuning/jobs/:id/events', 'GET'], ['/v1/models/:model', 'DELETE'],
    ['/v1/assistants', 'POST'], ['/v1/assistants/:id', 'GET'], ['/v1/assistants/:id', 'POST'], ['/v1/assistants/:id', 'DELETE'],
    ['/v1/assistants', 'GET'], ['/v1/assistants/:id/files', 'POST'], ['/v1/assistants/:id/files/:fileId', 'GET'],
    ['/v1/assistants/:id/files/:fileId', 'DELETE'], ['/v1/assistants/:id/files', 'GET'],
    ['/v1/threads', 'POST'], ['/v1/threads/:id', 'GET'], ['/v1/threads/:id', 'POST'], ['/v1/threads/:id', 'DELETE'],
    ['/v1/threads/:id/messages', 'POST'], ['/v1/threads/:id/messages/:messageId', 'GET'], ['/v1/threads/:id/messages/:messageId', 'POST'],
    ['/v1/threads/:id/messages/:messageId/files/:filesId', 'GET'], ['/v1/threads/:id/messages/:messageId/files', 'GET'],
    ['/v1/threads/:id/runs', 'POST'], ['/v1/threads/:id/runs/:runsId', 'GET'], ['/v1/threads/:id/runs/:runsId', 'POST'],
    ['/v1/threads/:id/runs', 'GET'], ['/v1/threads/:id/runs/:runsId/submit_tool_outputs', 'POST'],
    ['/v1/threads/:id/runs/:runsId/cancel', 'POST'], ['/v1/threads/:id/runs/:runsId/steps/:stepId', 'GET'], ['/v1/threads/:id/runs/:runsId/steps', 'GET'],
  ];
  return [
    ...dashboardRoutes(),
    rt('/v1/models', ['GET'], TOKEN, 'ListModels', NONE('no Distribute')),
    rt('/v1/models/:model', ['GET'], TOKEN, 'RetrieveModel', NONE('no Distribute')),
    rt('/v1/oneapi/proxy/:channelid/*target', 'ANY', v1, 'Relay', NONE('channel pinned by :channelid')),
    relay('/v1/completions'),
    relay('/v1/chat/completions'),
    relay('/v1/edits'),
    relay('/v1/images/generations', 'POST', { kind: 'json-body', forms: true, default: 'dall-e-2' }),
    relay('/v1/embeddings'),
    relay('/v1/engines/:model/embeddings', 'POST', { kind: 'json-body', forms: true, fallbackParam: 'model' }),
    relay('/v1/audio/transcriptions', 'POST', { kind: 'form-field', field: 'model', default: 'whisper-1' }),
    relay('/v1/audio/translations', 'POST', { kind: 'form-field', field: 'model', default: 'whisper-1' }),
    relay('/v1/audio/speech'),
    relay('/v1/moderations', 'POST', { kind: 'json-body', forms: true, default: 'text-moderation-stable' }),
    ...notImpl.map(([p, m]) => ni(p, m)),
  ];
}

function normalizePrefix(prefix: string): string {
  let p = prefix.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p;
}

function customRouteDefs(base: RouteDef[], extras: CustomRoute[]): RouteDef[] {
  return extras.map((e) => {
    const prefix = normalizePrefix(e.prefix);
    if (prefix === '/' || /[:*?#\s]/.test(prefix)) throw new UsageError(`custom route prefix "${e.prefix}" is not a plain path prefix`);
    if (!e.model?.trim()) throw new UsageError(`custom route ${prefix} needs a model`);
    // gin panics at startup when a catch-all shares its parent with other routes.
    const clash = base.find((r) => r.pattern.startsWith(prefix) || (r.pattern.includes('*') && prefix.startsWith(r.pattern.replace(/\*\w+$/, ''))));
    if (clash) throw new UsageError(`custom route ${prefix} collides with the relay route ${clash.pattern}`);
    const handler = e.handler ?? 'RelayBltcy';
    return rt(`${prefix}*path`, 'ANY', ['TokenAuth', 'Distribute'], handler, FIXED(e.model.trim()), {
      passthrough: handler === 'RelayBltcy',
      ...(handler === 'RelayBltcy' ? { expectsChannelType: [55] } : {}),
      note: 'operator-defined passthrough prefix',
    });
  });
}

const BASE: Record<Profile, () => RouteDef[]> = { bltcy: bltcyTable, 'new-api': newApiTable, 'one-api': oneApiTable };
const cache = new Map<Profile, RouteDef[]>();

function baseTable(profile: Profile): RouteDef[] {
  let base = cache.get(profile);
  if (!base) {
    base = BASE[profile]();
    cache.set(profile, base);
  }
  return base;
}

/** The profile's routes in registration order; operator prefixes are appended for the fork only. */
export function routeTable(profile: Profile, extras?: CustomRoute[]): RouteDef[] {
  const base = baseTable(profile);
  if (profile !== 'bltcy' || !extras?.length) return [...base];
  return [...base, ...customRouteDefs(base, extras)];
}

// ---------------------------------------------------------------- gin matching

type Seg = { t: 's'; v: string } | { t: 'p'; name: string } | { t: 'c'; name: string };
interface Compiled {
  def: RouteDef;
  segs: Seg[];
}

function compile(def: RouteDef): Compiled {
  const segs = def.pattern
    .slice(1)
    .split('/')
    .map((s): Seg => (s.startsWith(':') ? { t: 'p', name: s.slice(1) } : s.startsWith('*') ? { t: 'c', name: s.slice(1) } : { t: 's', v: s }));
  return { def, segs };
}

function allows(def: RouteDef, method: string): boolean {
  return def.methods === 'ANY' ? GIN_ANY_METHODS.includes(method) : def.methods.includes(method);
}

interface Found {
  def: RouteDef;
  params: Record<string, string>;
}

// gin's tree order: a static segment beats a :param, which beats a *catch-all; when the static
// branch dead-ends gin backtracks to the wildcard sibling. Params never match an empty segment.
function walk(routes: Compiled[], segs: string[], i: number, params: Record<string, string>): Found | undefined {
  if (i === segs.length) {
    const end = routes.find((r) => r.segs.length === i);
    return end ? { def: end.def, params } : undefined;
  }
  const seg = segs[i]!;
  const stat = routes.filter((r) => r.segs[i]?.t === 's' && (r.segs[i] as { v: string }).v === seg);
  if (stat.length) {
    const m = walk(stat, segs, i + 1, params);
    if (m) return m;
  }
  if (seg !== '') {
    const byName = new Map<string, Compiled[]>();
    for (const r of routes) {
      const s = r.segs[i];
      if (s?.t === 'p') byName.set(s.name, [...(byName.get(s.name) ?? []), r]);
    }
    for (const [name, rs] of byName) {
      const m = walk(rs, segs, i + 1, { ...params, [name]: seg });
      if (m) return m;
    }
  }
  const cat = routes.find((r) => r.segs[i]?.t === 'c' && r.segs.length === i + 1);
  if (cat) return { def: cat.def, params: { ...params, [(cat.segs[i] as { name: string }).name]: `/${segs.slice(i).join('/')}` } };
  return undefined;
}

function find(compiled: Compiled[], method: string, path: string): Found | undefined {
  if (!path.startsWith('/')) return undefined;
  const routes = compiled.filter((c) => allows(c.def, method));
  return walk(routes, path.slice(1).split('/'), 0, {});
}

const compiledCache = new Map<Profile, Compiled[]>();

function compiledTable(profile: Profile, extras?: CustomRoute[]): Compiled[] {
  if (profile === 'bltcy' && extras?.length) return routeTable(profile, extras).map(compile);
  let c = compiledCache.get(profile);
  if (!c) {
    c = baseTable(profile).map(compile);
    compiledCache.set(profile, c);
  }
  return c;
}

// gin matches on the decoded URL.Path; the NoRoute prefix test uses the raw request URI.
function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  const raw = q < 0 ? target : target.slice(0, q);
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // Go's server rejects malformed escapes itself; keep the text for the report.
  }
  return { path, query: q < 0 ? '' : target.slice(q + 1) };
}

const NOT_FOUND_PREFIXES: Record<Profile, string[]> = {
  'new-api': ['/v1', '/api', '/assets'],
  bltcy: ['/v1', '/api', '/assets'],
  'one-api': ['/v1', '/api'], // one-api's NoRoute has no /assets branch
};

/** Traces a request through the profile's router and Distribute's model derivation. */
export function routeFor(profile: Profile, method: string, target: string, body?: RouteBody, extras?: CustomRoute[]): RouteMatch {
  const m = method.toUpperCase();
  const { path, query } = splitTarget(target);
  const compiled = compiledTable(profile, extras);
  const found = find(compiled, m, path);
  const preflight = m === 'OPTIONS' ? { preflight: true } : {};
  if (!found) {
    const out: RouteMatch = { matched: undefined, params: {}, modelSource: NONE('no route'), selectsChannel: false, ...preflight };
    if (path !== '/' && m !== 'CONNECT') {
      const alt = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
      if (alt && find(compiled, m, alt)) {
        out.trailingSlash = { redirectTo: alt + (query ? `?${query}` : ''), status: m === 'GET' ? 301 : 307 };
        return out;
      }
    }
    if (GIN_ANY_METHODS.some((other) => other !== m && find(compiled, other, path))) out.methodNotRegistered = true;
    const json = NOT_FOUND_PREFIXES[profile].some((p) => target.startsWith(p));
    out.unmatchedAnswer = json ? 'json-404' : 'html-200';
    if (json) out.notFoundMessage = `Invalid URL (${m} ${path})`;
    return out;
  }
  const d = deriveModel(profile, { method: m, path, query, params: found.params, route: found.def, body, extras: extras ?? [] });
  const out: RouteMatch = {
    matched: found.def,
    params: found.params,
    modelSource: d.source,
    selectsChannel: d.selects,
    ...preflight,
  };
  if (d.model) out.model = d.model;
  if (d.problem) {
    out.modelProblem = d.problem.message;
    out.problemStatus = d.problem.status;
    if (d.problem.variants?.length) out.problemVariants = d.problem.variants;
  }
  return out;
}

export interface RouteModels {
  /** Models the routes select channels by whatever the body says. */
  fixed: string[];
  /** Defaults used when the body has no model. */
  bodyDefaults: string[];
}

/** Routing models to sweep for a profile; Midjourney's mj_* and suno_<action> are dynamic and left out. */
export function routeModels(profile: Profile, extras?: CustomRoute[]): RouteModels {
  const fixed = new Set<string>();
  const defaults = new Set<string>();
  for (const r of routeTable(profile, extras)) {
    const s = r.model;
    if (s.kind === 'fixed') fixed.add(s.model);
    else if (s.kind === 'id-prefix-or-default' || s.kind === 'multipart-or-default') fixed.add(s.default);
    else if ((s.kind === 'json-body' || s.kind === 'form-field') && s.default) defaults.add(s.default);
  }
  return { fixed: [...fixed], bodyDefaults: [...defaults] };
}

// ---------------------------------------------------------------- request bodies

export interface RouteBody {
  /** Parsed JSON body. */
  json?: unknown;
  /** Raw body text, read as JSON when the Content-Type says so; wins over `json`. */
  text?: string;
  /** The caller's own JSON.parse failure; only used when `text` is absent. */
  parseError?: string;
  /** Form or multipart fields (a repeated field as an array). */
  form?: Record<string, string | string[]>;
  /** Content-Type header; defaults to application/json with json/text, multipart/form-data with form, '' otherwise. */
  contentType?: string;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

class Body {
  readonly ct: string;
  readonly input: RouteBody | undefined;

  constructor(input: RouteBody | undefined) {
    this.input = input;
    const guess = input?.json !== undefined || input?.text !== undefined || input?.parseError !== undefined ? 'application/json' : input?.form ? 'multipart/form-data' : '';
    this.ct = input?.contentType ?? guess;
  }

  // The relays test Content-Type with case-sensitive prefix / substring checks.
  get isJson(): boolean {
    return this.ct.startsWith('application/json');
  }
  get isMultipart(): boolean {
    return this.ct.includes('multipart/form-data');
  }
  get isUrlencoded(): boolean {
    return this.ct.includes('application/x-www-form-urlencoded');
  }
  /** gin's c.ContentType(): the media type without parameters. */
  get mediaType(): string {
    return (this.ct.split(';')[0] ?? '').trim();
  }

  parse(): Parsed {
    if (this.input?.text === undefined && this.input?.json !== undefined) return { ok: true, value: this.input.json };
    if (this.input?.text === undefined && this.input?.parseError !== undefined) return { ok: false, error: 'invalid JSON input' };
    const raw = this.input?.text ?? '';
    try {
      return { ok: true, value: JSON.parse(raw) as unknown };
    } catch (e) {
      return { ok: false, error: goSyntaxError(raw, (e as Error).message) };
    }
  }

  formValues(): Record<string, string | string[]> {
    return this.input?.form ?? {};
  }

  /** gin's c.PostForm: first value of a form or multipart field. */
  postForm(name: string): string {
    if (!this.isMultipart && !this.isUrlencoded) return '';
    return first(this.input?.form?.[name]);
  }

  /** The same request with a body rewritten by a converter (Content-Type unchanged). */
  rewritten(json: unknown): Body {
    return new Body({ json, contentType: this.ct });
  }
}

function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

// Go's encoding/json wording for the common cases; wording past the first character is approximate.
function goSyntaxError(raw: string, v8: string): string {
  const t = raw.trimStart();
  if (t === '') return 'unexpected end of JSON input';
  const c = t[0]!;
  if (!'{["tfn-0123456789'.includes(c)) return `invalid character '${c}' looking for beginning of value`;
  const pos = /position (\d+)/.exec(v8);
  if (/end of JSON input|Unterminated/.test(v8) || (pos && Number(pos[1]) >= raw.length)) return 'unexpected end of JSON input';
  if (pos && /after JSON/.test(v8)) return `invalid character '${raw[Number(pos[1])]}' after top-level value`;
  if (pos) return `invalid character '${raw[Number(pos[1])]}' in JSON`;
  return 'invalid JSON input';
}

function goKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Decoded {
  values: Record<string, string>;
  error?: string;
}

/** encoding/json into a struct of string fields: keys match case-insensitively, null is a no-op. */
function decodeGo(v: unknown, fields: string[], struct = 'ModelRequest', pkg = 'middleware'): Decoded {
  const values: Record<string, string> = {};
  if (v === null) return { values };
  if (!isObject(v)) return { values, error: `json: cannot unmarshal ${goKind(v)} into Go value of type ${pkg}.${struct}` };
  let error: string | undefined;
  for (const [k, val] of Object.entries(v)) {
    const f = fields.find((x) => x === k) ?? fields.find((x) => x.toLowerCase() === k.toLowerCase());
    if (!f || val === null) continue;
    if (typeof val === 'string') values[f] = val;
    else error ??= `json: cannot unmarshal ${goKind(val)} into Go struct field ${struct}.${f} of type string`;
  }
  return error ? { values, error } : { values };
}

type Flavor = 'go' | 'na' | 'one';

interface ModelRead {
  model: string;
  group: string;
  error?: string;
}

const readOf = (d: Decoded): ModelRead => ({ model: d.values.model ?? '', group: d.values.group ?? '', ...(d.error ? { error: d.error } : {}) });

/**
 * The body's model as each relay reads it: 'go' = UnmarshalBodyReusable of BF and NA-0.9 (JSON
 * only), 'na' = NA-main getModelFromRequest (gjson for JSON, forms decoded), 'one' = one-api
 * (JSON, else gin's form binding over form fields and query).
 */
function readModelRequest(body: Body, flavor: Flavor, method = 'POST', query = new URLSearchParams()): ModelRead {
  if (body.isJson) {
    const p = body.parse();
    if (flavor === 'na') {
      if (!p.ok) return { model: '', group: '', error: 'invalid JSON request body' };
      const out: ModelRead = { model: '', group: '' };
      for (const f of ['model', 'group'] as const) {
        const v = isObject(p.value) ? p.value[f] : undefined;
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string') return { ...out, error: `field ${f} must be a string` };
        out[f] = v;
      }
      return out;
    }
    if (!p.ok) return { model: '', group: '', error: p.error };
    return readOf(decodeGo(p.value, flavor === 'one' ? ['model'] : ['model', 'group']));
  }
  if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) return readOf(decodeGo(body.formValues(), ['model', 'group']));
  if (flavor === 'one') {
    const fromBody = method !== 'GET' && (body.isUrlencoded || body.isMultipart) ? first(body.formValues().model) : '';
    return { model: fromBody || (query.get('model') ?? ''), group: '' };
  }
  return { model: '', group: '' };
}

/** UnmarshalBodyReusable into map[string]interface{} (the Kling and Jimeng converters). */
function readMap(body: Body, flavor: Flavor): { map?: Record<string, unknown>; error?: string } {
  if (body.isJson) {
    const p = body.parse();
    if (!p.ok) return { error: p.error };
    if (p.value === null) return {};
    if (!isObject(p.value)) return { error: `json: cannot unmarshal ${goKind(p.value)} into Go value of type map[string]interface {}` };
    return { map: p.value };
  }
  if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) {
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body.formValues())) map[k] = Array.isArray(v) && v.length === 1 ? v[0] : v;
    return { map };
  }
  return {};
}

const str = (m: Record<string, unknown> | undefined, k: string): string => (typeof m?.[k] === 'string' ? (m[k] as string) : '');

// ---------------------------------------------------------------- Midjourney

function mjMode(p: string): string {
  const modes: [string, string][] = [
    ['/mj/submit/action', 'action'],
    ['/mj/submit/modal', 'MODAL'],
    ['/mj/submit/shorten', 'SHORTEN'],
    ['/mj/insight-face/swap', 'SWAP_FACE'],
    ['/submit/upload-discord-images', 'UPLOAD'],
    ['/mj/submit/imagine', 'IMAGINE'],
    ['/mj/submit/video', 'VIDEO'],
    ['/mj/submit/edits', 'EDITS'],
    ['/mj/submit/blend', 'BLEND'],
    ['/mj/submit/describe', 'DESCRIBE'],
    ['/mj/notify', 'notify'],
    ['/mj/submit/change', 'change'],
    ['/mj/submit/simple-change', 'change'], // Path2RelayModeMidjourney maps it to the change mode
    ['/fetch', 'fetch'],
    ['/image-seed', 'fetch'],
    ['/list-by-condition', 'fetch'],
  ];
  return modes.find(([suffix]) => p.endsWith(suffix))?.[1] ?? 'unknown';
}

interface MjResult {
  selects: boolean;
  model: string;
  parseError?: string;
  mjError?: string;
  panic?: string;
}

const goAtoi = (s: string | undefined): boolean => s !== undefined && /^[+-]?\d+$/.test(s);

// service/midjourney.go GetMjRequestModel and CoverPlusActionToNormalAction.
function midjourney(p: string, body: Body, flavor: Flavor): MjResult {
  const mode = mjMode(p);
  if (mode === 'fetch' || mode === 'notify') return { selects: false, model: '' };
  let req: Record<string, string> = {};
  if (body.isJson) {
    const parsed = body.parse();
    if (!parsed.ok) return { selects: true, model: '', parseError: parsed.error };
    const d = decodeGo(parsed.value, ['action', 'customId', 'content'], 'MidjourneyRequest', 'dto');
    if (d.error) return { selects: true, model: '', parseError: d.error };
    req = d.values;
  } else if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) {
    req = decodeGo(body.formValues(), ['action', 'customId', 'content'], 'MidjourneyRequest', 'dto').values;
  }
  let action = '';
  if (mode === 'action') {
    const customId = req.customId ?? '';
    if (!customId) return { selects: true, model: '', mjError: 'custom_id_is_required' };
    const s = customId.split('::');
    const at = (i: number): string | undefined => s[i];
    const oob = (i: number) => `runtime error: index out of range [${i}] with length ${s.length}`;
    if (s.length < 2) return { selects: true, model: '', panic: oob(1) };
    if (s[1] === 'JOB' && s.length < 3) return { selects: true, model: '', panic: oob(2) };
    const a = s[1] === 'JOB' ? at(2)! : at(1)!;
    action = req.action ?? '';
    if (a === '') return { selects: true, model: '', mjError: 'unknown_action' };
    const needIndex = (): MjResult | undefined => {
      if (s.length < 4) return { selects: true, model: '', panic: oob(3) };
      return goAtoi(at(3)) ? undefined : { selects: true, model: '', mjError: 'index_parse_failed' };
    };
    if (a.includes('upsample')) {
      const bad = needIndex();
      if (bad) return bad;
      action = 'UPSCALE';
    } else if (a.includes('variation')) {
      if (a === 'variation') {
        const bad = needIndex();
        if (bad) return bad;
        action = 'VARIATION';
      } else if (a === 'low_variation') action = 'LOW_VARIATION';
      else if (a === 'high_variation') action = 'HIGH_VARIATION';
    } else if (a.includes('pan')) action = 'PAN';
    else if (a.includes('reroll')) action = 'REROLL';
    else if (a === 'Outpaint') action = 'ZOOM';
    else if (a === 'CustomZoom') action = 'CUSTOM_ZOOM';
    else if (a === 'Inpaint') action = 'INPAINT';
    else return { selects: true, model: '', mjError: `unknown_action:${customId}` };
  } else if (mode === 'change') action = req.action ?? '';
  else if (mode === 'unknown') return { selects: true, model: '', mjError: 'unknown_relay_action' };
  else action = mode;
  return { selects: true, model: action === 'SWAP_FACE' ? 'swap_face' : `mj_${action.toLowerCase()}` };
}

function geminiModel(p: string): string {
  const i = p.indexOf('/models/');
  if (i < 0) return '';
  const rest = p.slice(i + '/models/'.length);
  const c = rest.indexOf(':');
  return c < 0 ? rest : rest.slice(0, c);
}

// ---------------------------------------------------------------- Distribute, per profile

interface Problem {
  status: number;
  message: string;
  variants?: string[];
}

interface Derived {
  model: string;
  selects: boolean;
  source: ModelSource;
  problem?: Problem;
}

interface DeriveInput {
  method: string;
  path: string;
  query: string;
  params: Record<string, string>;
  route: RouteDef;
  body: RouteBody | undefined;
  extras: CustomRoute[];
}

const PANIC = (v: string) => `Panic detected, error: ${v}. Please submit a issue here: https://github.com/Calcium-Ion/new-api`;
const NO_MODEL_ZH = '未指定模型名称，模型名称不能为空';
const NO_MODEL_EN = 'Model name not specified, model name cannot be empty';

function deriveModel(profile: Profile, input: DeriveInput): Derived {
  if (!input.route.chain.includes('Distribute')) return { model: '', selects: false, source: input.route.model };
  if (profile === 'bltcy') return deriveBltcy(input);
  if (profile === 'new-api') return deriveNewApi(input);
  return deriveOneApi(input);
}

/** Jimeng converter (both families): aborts before TokenAuth, else rewrites to /v1/video/generations. */
function jimeng(body: Body, query: URLSearchParams, flavor: Flavor): { problem?: Problem; path?: string; method?: string; body?: Body; reqKey?: string } {
  const action = query.get('Action') ?? '';
  if (!action) return { problem: { status: 400, message: 'Action query parameter is required' } };
  const r = readMap(body, flavor);
  if (r.error) return { problem: { status: 400, message: 'Invalid request body' } };
  const reqKey = str(r.map, 'req_key');
  const out = { path: '/v1/video/generations', method: 'POST', body: body.rewritten({ model: reqKey, prompt: str(r.map, 'prompt'), metadata: r.map ?? null }), reqKey };
  if (action === 'CVSync2AsyncGetResult') {
    const taskId = str(r.map, 'task_id');
    if (!taskId) return { problem: { status: 400, message: 'task_id is required for CVSync2AsyncGetResult' } };
    return { ...out, path: `/v1/video/generations/${taskId}`, method: 'GET' };
  }
  return out;
}

// BF middleware/distributor.go getModelRequest, rules 1–12 and the rules after them (RB §8.3).
function deriveBltcy(input: DeriveInput): Derived {
  const { route, params, extras } = input;
  const query = new URLSearchParams(input.query);
  let { method, path } = input;
  let body = new Body(input.body);
  let originalModel = '';
  let via = '';
  let billing = '';
  const badBody = (err: string): Derived => ({ model: '', selects: true, source: route.model, problem: { status: 400, message: `Invalid request, 无效的请求, ${err}` } });

  // Converters that run before TokenAuth.
  if (route.chain.includes('KlingRequestConvert')) {
    if (method === 'GET') body = new Body(undefined);
    else {
      originalModel = 'kling';
      via = 'KlingRequestConvert';
      const r = readMap(body, 'go');
      if (!r.error) {
        const m = str(r.map, 'model_name') || str(r.map, 'model') || 'kling-v1';
        body = body.rewritten({ model: m, prompt: str(r.map, 'prompt'), metadata: r.map ?? null });
        path = '/v1/video/generations';
      }
    }
  }
  if (route.chain.includes('JimengRequestConvert')) {
    const j = jimeng(body, query, 'go');
    if (j.problem) return { model: '', selects: false, source: route.model, problem: j.problem };
    originalModel = 'jimeng';
    via = 'JimengRequestConvert';
    ({ path, method, body } = { path: j.path!, method: j.method!, body: j.body! });
  }
  if (route.chain.includes('SoraVideosAdapter') && method === 'POST' && path.startsWith('/v1/videos') && body.ct.toLowerCase().startsWith('multipart/')) {
    billing = first(body.formValues().model);
  }

  let model = '';
  let selects = true;
  let source: ModelSource = route.model;
  let err: string | undefined;
  const fixed = (m: string, v?: string) => {
    model = m;
    source = FIXED(m, v);
  };
  const extra = extras.find((e) => path.startsWith(normalizePrefix(e.prefix)));
  if ((path === '/generate' || path === '/generate/description-mode') && method === 'POST') fixed('suno_music');
  else if (path.includes('/mj/')) {
    const r = midjourney(path, body, 'go');
    if (r.panic) return { model: '', selects: true, source: { kind: 'midjourney' }, problem: { status: 500, message: PANIC(r.panic) } };
    const e = r.parseError ?? r.mjError;
    if (e) return { model: '', selects: true, source: { kind: 'midjourney' }, problem: { status: 400, message: `Invalid request, ${e}` } };
    selects = r.selects;
    model = r.model;
    source = r.selects ? { kind: 'midjourney' } : NONE('Midjourney task fetch or notify');
  } else if (path.startsWith('/suno/')) fixed('suno');
  else if (path.startsWith('/runway/') || path.startsWith('/runwayml/')) fixed('runway');
  else if (path.startsWith('/pika/')) fixed('pika');
  else if (path.startsWith('/minimax/')) fixed('minimax');
  else if (path.startsWith('/kling/')) fixed('kling');
  // Operator prefixes: assumed to sit with the fork's own fixed-prefix rules.
  else if (extra) fixed(extra.model.trim());
  else if (path.startsWith('/tripo/')) {
    fixed('tripo');
    if (path.startsWith('/tripo/task/') && method === 'GET') {
      selects = false;
      source = NONE('task fetch');
    }
  } else if (path.includes('/v1/video/generations')) {
    if (originalModel) fixed(originalModel, via || undefined);
    if (method === 'POST' && !model) {
      const r = readModelRequest(body, 'go');
      err = r.error;
      model = r.model;
      source = BODY;
    } else if (method === 'GET' && !model) {
      selects = false;
      source = NONE('task fetch');
    }
  } else if (path.startsWith('/v1beta/models/') || path.startsWith('/v1/models/')) {
    model = geminiModel(path);
    source = { kind: 'path-segment' };
  } else if (!path.startsWith('/v1/audio/transcriptions') && !body.isMultipart && method !== 'GET') {
    const r = readModelRequest(body, 'go');
    err = r.error;
    model = r.model;
    if (route.model.kind !== 'json-body' && route.model.kind !== 'form-field' && route.model.kind !== 'multipart-or-default') source = BODY;
  }
  if (err !== undefined) return badBody(err);

  if (path.startsWith('/v1/realtime')) {
    model = query.get('model') ?? '';
    source = { kind: 'query', param: 'model' };
  }
  if (path.startsWith('/v1/moderations') && !model) model = 'text-moderation-stable';
  if (path.endsWith('embeddings') && !model) model = params.model ?? '';
  if (path.startsWith('/v1/images/generations')) model ||= 'dall-e';
  else if (path.startsWith('/v1/images/edits') && body.isMultipart) model = body.postForm('model');
  if (path.startsWith('/v1/videos') && method === 'POST') {
    if (body.isMultipart) {
      if (billing) model = billing;
      model ||= 'sora-2';
    }
  } else if (path.startsWith('/v1/videos/') && method === 'GET') {
    const id = params.id ?? '';
    const idx = id.indexOf(':');
    if (idx > 0 && id.slice(0, idx).startsWith('sora-2')) model = id.slice(0, idx);
    model ||= 'sora-2';
  }
  if (path.startsWith('/v1/audio')) {
    if (path.startsWith('/v1/audio/generations')) {
      if (method === 'GET') {
        selects = false;
        source = NONE('task fetch');
      }
    } else if (path.startsWith('/v1/audio/speech')) model ||= 'tts-1';
    else if (path.startsWith('/v1/audio/translations') || path.startsWith('/v1/audio/transcriptions')) {
      model ||= body.postForm('model');
      model ||= 'whisper-1';
    }
  }
  if (path.startsWith('/pg/chat/completions')) {
    const r = readModelRequest(body, 'go');
    if (r.error !== undefined) return badBody(r.error);
    model = r.model;
  }
  if (selects && !model) return { model: '', selects, source, problem: { status: 400, message: NO_MODEL_ZH } };
  return { model, selects, source };
}

// NA-main middleware/distributor.go getModelRequest (RB §8.2). Messages: NA-main English first,
// then its Chinese default, then NA-0.9.x's wording where the request is the same.
function deriveNewApi(input: DeriveInput): Derived {
  const { route, params } = input;
  const query = new URLSearchParams(input.query);
  let { method, path } = input;
  let body = new Body(input.body);
  const naInvalid = (inner: string, innerZh: string, go?: string): Problem => ({
    status: 400,
    message: `Invalid request: ${inner}`,
    variants: [`无效的请求，${innerZh}`, ...(go ? [`Invalid request, 无效的请求, ${go}`] : [])],
  });
  // getModelFromRequest wraps its error once and Distribute wraps it again.
  const bodyProblem = (err: string): Problem => naInvalid(`Invalid request: ${err}`, `无效的请求，${err}`, readModelRequest(body, 'go', method, query).error);
  const fail = (problem: Problem, source: ModelSource = route.model): Derived => ({ model: '', selects: true, source, problem });

  if (route.chain.includes('KlingRequestConvert')) {
    const r = readMap(body, 'na');
    if (!r.error) {
      const m = str(r.map, 'model_name') || str(r.map, 'model');
      body = body.rewritten({ model: m, prompt: str(r.map, 'prompt'), metadata: r.map ?? null });
      path = '/v1/video/generations';
    }
  }
  if (route.chain.includes('JimengRequestConvert')) {
    const j = jimeng(body, query, 'na');
    if (j.problem) return { model: '', selects: false, source: route.model, problem: j.problem };
    ({ path, method, body } = { path: j.path!, method: j.method!, body: j.body! });
  }

  let model = '';
  let selects = true;
  let source: ModelSource = route.model;
  const fromRequest = (): ModelRead => readModelRequest(body, 'na', method, query);

  if (path.includes('/mj/')) {
    const r = midjourney(path, body, 'na');
    const mj: ModelSource = { kind: 'midjourney' };
    if (r.panic) return fail({ status: 500, message: PANIC(r.panic) }, mj);
    if (r.parseError) return fail(naInvalid(`Invalid Midjourney request: ${r.parseError}`, `无效的midjourney请求，${r.parseError}`), mj);
    if (r.mjError) return fail(naInvalid(r.mjError, r.mjError), mj);
    selects = r.selects;
    model = r.model;
    source = r.selects ? mj : NONE('Midjourney task fetch');
  } else if (path.includes('/suno/')) {
    const fetch = (method === 'POST' && path.endsWith('/fetch')) || (method === 'GET' && path.includes('/fetch/'));
    if (fetch) {
      selects = false;
      source = NONE('task fetch');
    } else {
      model = `suno_${(params.action ?? '').toLowerCase()}`;
      source = { kind: 'suno-action' };
    }
  } else if (path.includes('/v1/videos/') && path.endsWith('/remix')) {
    selects = false;
    source = NONE('remix');
  } else if (path.includes('/v1/videos') || path.includes('/v1/video/generations')) {
    if (method === 'POST') {
      const r = fromRequest();
      if (r.error !== undefined) return fail(bodyProblem(r.error));
      model = r.model;
    } else if (method === 'GET') {
      selects = false;
      source = NONE('task fetch');
    }
  } else if (path.startsWith('/v1beta/models/') || path.startsWith('/v1/models/')) {
    model = geminiModel(path);
    source = { kind: 'path-segment' };
  } else if (!path.startsWith('/v1/audio/transcriptions') && !body.isMultipart) {
    const r = fromRequest();
    if (r.error !== undefined) return fail(bodyProblem(r.error));
    model = r.model;
  }

  if (path.startsWith('/v1/realtime')) {
    model = query.get('model') ?? '';
    source = { kind: 'query', param: 'model' };
  }
  if (path.startsWith('/v1/moderations') && !model) model = 'text-moderation-stable';
  if (path.endsWith('embeddings') && !model) model = params.model ?? '';
  if (path.startsWith('/v1/images/generations')) model ||= 'dall-e';
  else if (path.startsWith('/v1/images/edits') && ['application/x-www-form-urlencoded', 'multipart/form-data'].includes(body.mediaType)) {
    const r = fromRequest();
    if (r.error === undefined && r.model) model = r.model;
  }
  if (path.startsWith('/v1/audio')) {
    if (path.startsWith('/v1/audio/speech')) model ||= 'tts-1';
    else if (path.startsWith('/v1/audio/translations') || path.startsWith('/v1/audio/transcriptions')) {
      const r = fromRequest();
      if (r.error === undefined && r.model) model = r.model;
      model ||= 'whisper-1';
    }
  }
  if (path.startsWith('/pg/chat/completions')) {
    const r = fromRequest();
    if (r.error !== undefined) return fail(bodyProblem(r.error));
    model = r.model;
  }
  if (path.startsWith('/v1/responses/compact') && model) model += '-openai-compact';
  if (selects && !model) return { model: '', selects, source, problem: { status: 400, message: NO_MODEL_EN, variants: [NO_MODEL_ZH] } };
  return { model, selects, source };
}

const ONE_API_CHECKED = ['/v1/completions', '/v1/chat/completions', '/v1/images', '/v1/audio'];

// one-api reads the model in TokenAuth (middleware/utils.go getRequestModel); Distribute then
// selects for whatever it got, the empty name included.
function deriveOneApi(input: DeriveInput): Derived {
  const { route, params, path, method } = input;
  const query = new URLSearchParams(input.query);
  if (route.pattern.startsWith('/v1/oneapi/proxy/')) return { model: '', selects: false, source: route.model };
  const body = new Body(input.body);
  const r = readModelRequest(body, 'one', method, query);
  let model = r.model;
  if (r.error !== undefined) {
    if (ONE_API_CHECKED.some((p) => path.startsWith(p)))
      return { model: '', selects: true, source: route.model, problem: { status: 400, message: `common.UnmarshalBodyReusable failed: ${r.error}` } };
    model = '';
  } else {
    if (path.startsWith('/v1/moderations')) model ||= 'text-moderation-stable';
    if (path.endsWith('embeddings')) model ||= params.model ?? '';
    if (path.startsWith('/v1/images/generations')) model ||= 'dall-e-2';
    if (path.startsWith('/v1/audio/transcriptions') || path.startsWith('/v1/audio/translations')) model ||= 'whisper-1';
  }
  if (!model) return { model: '', selects: true, source: route.model, problem: { status: 503, message: '当前分组 %s 下对于模型  无可用渠道' } };
  return { model, selects: true, source: route.model };
}
