import { UsageError } from '../types.js';
import { BODY, FIXED, NONE, type CustomRoute, type ModelSource, type Profile, type RouteDef } from './route-types.js';

// The three profiles' route tables as data (RB §8.1–§8.3), in registration order.

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

export function normalizePrefix(prefix: string): string {
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

export function baseTable(profile: Profile): RouteDef[] {
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
