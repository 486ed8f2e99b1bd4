import { Body, first, readMap, readModelRequest, str, type Flavor, type ModelRead } from './route-body.js';
import { midjourney } from './route-midjourney.js';
import { normalizePrefix } from './route-tables.js';
import { BODY, FIXED, NONE, type CustomRoute, type ModelSource, type Profile, type RouteBody, type RouteDef } from './route-types.js';

// Distribute's routing model, per profile: which model selects the channel, or why the relay
// rejects the request first.

function geminiModel(p: string): string {
  const i = p.indexOf('/models/');
  if (i < 0) return '';
  const rest = p.slice(i + '/models/'.length);
  const c = rest.indexOf(':');
  return c < 0 ? rest : rest.slice(0, c);
}

export interface Problem {
  status: number;
  message: string;
  variants?: string[];
}

export interface Derived {
  model: string;
  selects: boolean;
  source: ModelSource;
  problem?: Problem;
}

export interface DeriveInput {
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

export function deriveModel(profile: Profile, input: DeriveInput): Derived {
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
