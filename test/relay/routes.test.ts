import { describe, expect, it } from 'vitest';
import { routeFor, routeModels, routeTable, GIN_ANY_METHODS, type CustomRoute, type Profile, type RouteBody, type RouteMatch } from '../../src/relay/routes.js';
import { UsageError } from '../../src/types.js';

// Table-driven, in the style of ESLint's RuleTester: each case names a request and the parts of
// the RouteMatch it must produce. Expectations come from RB §8.2, §8.3, §8.5 and §9.

interface Case {
  name: string;
  input: { profile: Profile; method: string; path: string; body?: RouteBody; extras?: CustomRoute[] };
  expected: {
    pattern?: string | null;
    handler?: string;
    model?: string | null;
    source?: string;
    selects?: boolean;
    passthrough?: boolean;
    problem?: string | RegExp;
    status?: number;
    variants?: string[];
    unmatched?: 'html-200' | 'json-404';
    notFound?: string;
    redirect?: { redirectTo: string; status: 301 | 307 };
    methodNotRegistered?: boolean;
    params?: Record<string, string>;
    chain?: string[];
  };
}

const json = (v: unknown): RouteBody => ({ json: v });
const text = (t: string, contentType = 'application/json'): RouteBody => ({ text: t, contentType });
const multipart = (form: Record<string, string>): RouteBody => ({ form, contentType: 'multipart/form-data; boundary=x' });

function check(c: Case): void {
  const { profile, method, path, body, extras } = c.input;
  const r: RouteMatch = routeFor(profile, method, path, body, extras);
  const e = c.expected;
  if (e.pattern !== undefined) expect(r.matched?.pattern ?? null).toBe(e.pattern);
  if (e.handler !== undefined) expect(r.matched?.handler).toBe(e.handler);
  if (e.chain !== undefined) expect(r.matched?.chain).toEqual(e.chain);
  if (e.model !== undefined) expect(r.model ?? null).toBe(e.model);
  if (e.source !== undefined) expect(r.modelSource.kind).toBe(e.source);
  if (e.selects !== undefined) expect(r.selectsChannel).toBe(e.selects);
  if (e.passthrough !== undefined) expect(r.matched?.passthrough).toBe(e.passthrough);
  if (e.problem === undefined) expect(r.modelProblem).toBeUndefined();
  else if (typeof e.problem === 'string') expect(r.modelProblem).toBe(e.problem);
  else expect(r.modelProblem).toMatch(e.problem);
  if (e.status !== undefined) expect(r.problemStatus).toBe(e.status);
  if (e.variants !== undefined) expect(r.problemVariants).toEqual(e.variants);
  expect(r.unmatchedAnswer).toBe(e.unmatched);
  if (e.notFound !== undefined) expect(r.notFoundMessage).toBe(e.notFound);
  expect(r.trailingSlash).toEqual(e.redirect);
  expect(Boolean(r.methodNotRegistered)).toBe(Boolean(e.methodNotRegistered));
  if (e.params !== undefined) expect(r.params).toEqual(e.params);
}

const NO_MODEL = '未指定模型名称，模型名称不能为空';

const bltcy: Case[] = [
  // RB §8.3 rows 1–12 and the route table
  { name: 'runwayml passthrough (the seed incident)', input: { profile: 'bltcy', method: 'POST', path: '/runwayml/v1/image_to_video', body: json({ model: 'gen4_turbo' }) }, expected: { pattern: '/runwayml/*path', handler: 'RelayBltcy', model: 'runway', source: 'fixed', selects: true, passthrough: true, params: { path: '/v1/image_to_video' } } },
  { name: 'runway ignores a body that is not JSON', input: { profile: 'bltcy', method: 'POST', path: '/runway/v1/tasks', body: text('not json') }, expected: { pattern: '/runway/*path', model: 'runway', passthrough: true } },
  { name: 'runway wildcard accepts the bare prefix with slash', input: { profile: 'bltcy', method: 'GET', path: '/runway/' }, expected: { pattern: '/runway/*path', model: 'runway', params: { path: '/' } } },
  { name: 'runway GET poll', input: { profile: 'bltcy', method: 'GET', path: '/runwayml/v1/tasks/relay-doctor-probe' }, expected: { pattern: '/runwayml/*path', model: 'runway', selects: true } },
  { name: 'pika', input: { profile: 'bltcy', method: 'POST', path: '/pika/generate/v2/turbo/text-to-video' }, expected: { handler: 'RelayBltcy', model: 'pika' } },
  { name: 'minimax', input: { profile: 'bltcy', method: 'POST', path: '/minimax/v1/video_generation' }, expected: { handler: 'RelayBltcy', model: 'minimax' } },
  { name: 'kling GET poll routes on kling', input: { profile: 'bltcy', method: 'GET', path: '/kling/v1/videos/image2video/805898583081390085' }, expected: { pattern: '/kling/v1/videos/image2video/:task_id', handler: 'RelayTask', model: 'kling', selects: true, passthrough: true, params: { task_id: '805898583081390085' } } },
  { name: 'kling POST goes through KlingRequestConvert and routes on kling', input: { profile: 'bltcy', method: 'POST', path: '/kling/v1/videos/text2video', body: json({ model_name: 'kling-v2-master', prompt: 'a cat' }) }, expected: { handler: 'RelayTask', model: 'kling', source: 'fixed', chain: ['KlingRequestConvert', 'TokenAuth', 'Distribute'] } },
  { name: 'kling POST with a broken JSON body still routes on kling (rule 7)', input: { profile: 'bltcy', method: 'POST', path: '/kling/v1/videos/image2video', body: text('{"model_name":') }, expected: { model: 'kling', selects: true } },
  { name: 'sora GET with a prefixed id', input: { profile: 'bltcy', method: 'GET', path: '/v1/videos/sora-2-pro:task_01k8abc' }, expected: { pattern: '/v1/videos/:id', handler: 'RelayBltcy', model: 'sora-2-pro', source: 'id-prefix-or-default', passthrough: true } },
  { name: 'sora GET with an OpenAI-style id falls back to sora-2', input: { profile: 'bltcy', method: 'GET', path: '/v1/videos/video_123' }, expected: { model: 'sora-2', source: 'id-prefix-or-default' } },
  { name: 'sora GET with a foreign prefix falls back to sora-2', input: { profile: 'bltcy', method: 'GET', path: '/v1/videos/veo3:task_9' }, expected: { model: 'sora-2' } },
  { name: 'sora multipart POST takes the form model', input: { profile: 'bltcy', method: 'POST', path: '/v1/videos', body: multipart({ model: 'sora-2-pro', prompt: 'x' }) }, expected: { pattern: '/v1/videos', handler: 'RelayBltcy', model: 'sora-2-pro', source: 'multipart-or-default' } },
  { name: 'sora multipart POST without model defaults to sora-2', input: { profile: 'bltcy', method: 'POST', path: '/v1/videos', body: multipart({ prompt: 'x' }) }, expected: { model: 'sora-2' } },
  { name: 'sora JSON POST keeps the body model', input: { profile: 'bltcy', method: 'POST', path: '/v1/videos', body: json({ model: 'sora-2-pro' }) }, expected: { model: 'sora-2-pro' } },
  { name: 'sora JSON POST without model has none', input: { profile: 'bltcy', method: 'POST', path: '/v1/videos', body: json({ prompt: 'x' }) }, expected: { model: null, problem: NO_MODEL, status: 400 } },
  { name: 'POST /generate is suno_music (rule 1)', input: { profile: 'bltcy', method: 'POST', path: '/generate', body: json({ prompt: 'x' }) }, expected: { pattern: '/generate', handler: 'RelayTask', model: 'suno_music', passthrough: true } },
  { name: 'POST /generate/description-mode is suno_music', input: { profile: 'bltcy', method: 'POST', path: '/generate/description-mode' }, expected: { model: 'suno_music' } },
  { name: 'GET /feed/:id names no model', input: { profile: 'bltcy', method: 'GET', path: '/feed/abc' }, expected: { pattern: '/feed/:id', model: null, source: 'unresolvable', selects: true, problem: NO_MODEL, status: 400, passthrough: false } },
  { name: 'suno passthrough POST', input: { profile: 'bltcy', method: 'POST', path: '/suno/generate', body: json({ prompt: 'x' }) }, expected: { pattern: '/suno/generate', handler: 'RelayBltcy', model: 'suno', passthrough: true } },
  { name: 'suno generate is POST-only: GET falls to NoRoute (HTML)', input: { profile: 'bltcy', method: 'GET', path: '/suno/generate' }, expected: { pattern: null, methodNotRegistered: true, unmatched: 'html-200' } },
  { name: 'suno task submit routes on suno, not suno_music (rule 3)', input: { profile: 'bltcy', method: 'POST', path: '/suno/submit/music', body: json({ prompt: 'x' }) }, expected: { handler: 'RelayTask', model: 'suno', passthrough: true, params: { action: 'music' } } },
  { name: 'suno task fetch still selects a channel in the fork', input: { profile: 'bltcy', method: 'GET', path: '/suno/fetch/task-1' }, expected: { model: 'suno', selects: true } },
  { name: 'suno feed passthrough', input: { profile: 'bltcy', method: 'GET', path: '/suno/feed/a,b' }, expected: { handler: 'RelayBltcy', model: 'suno', params: { ids: 'a,b' } } },
  { name: 'tripo submit', input: { profile: 'bltcy', method: 'POST', path: '/tripo/task', body: json({ type: 'text_to_model' }) }, expected: { handler: 'RelayTask', model: 'tripo', selects: true } },
  { name: 'tripo fetch selects no channel', input: { profile: 'bltcy', method: 'GET', path: '/tripo/task/t1' }, expected: { model: 'tripo', selects: false, source: 'none' } },
  { name: 'video generations POST reads the body (rule 9)', input: { profile: 'bltcy', method: 'POST', path: '/v1/video/generations', body: json({ model: 'vidu2.0' }) }, expected: { handler: 'RelayTask', model: 'vidu2.0', source: 'json-body' } },
  { name: 'video generations GET is a task fetch', input: { profile: 'bltcy', method: 'GET', path: '/v1/video/generations/task_1' }, expected: { selects: false, model: null } },
  { name: 'jimeng submit routes on jimeng', input: { profile: 'bltcy', method: 'POST', path: '/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31', body: json({ req_key: 'jimeng_vgfm_t2v_l20', prompt: 'x' }) }, expected: { pattern: '/jimeng/', model: 'jimeng', selects: true, passthrough: true } },
  { name: 'jimeng result query becomes a GET that still selects jimeng', input: { profile: 'bltcy', method: 'POST', path: '/jimeng/?Action=CVSync2AsyncGetResult', body: json({ task_id: 't1' }) }, expected: { model: 'jimeng', selects: true } },
  { name: 'jimeng without Action is rejected by the converter', input: { profile: 'bltcy', method: 'POST', path: '/jimeng/', body: json({}) }, expected: { problem: 'Action query parameter is required', status: 400 } },
  { name: 'jimeng result query without task_id', input: { profile: 'bltcy', method: 'POST', path: '/jimeng/?Action=CVSync2AsyncGetResult', body: json({}) }, expected: { problem: 'task_id is required for CVSync2AsyncGetResult', status: 400 } },
  { name: 'audio generations POST routes on the body model', input: { profile: 'bltcy', method: 'POST', path: '/v1/audio/generations', body: json({ model: 'suno_music', prompt: 'x' }) }, expected: { handler: 'RelayTask', model: 'suno_music', chain: ['TokenAuth', 'Distribute', 'AudioRequestConvert'] } },
  { name: 'audio generations GET selects no channel', input: { profile: 'bltcy', method: 'GET', path: '/v1/audio/generations/abc' }, expected: { selects: false } },
  { name: 'gemini path model (rule 10)', input: { profile: 'bltcy', method: 'POST', path: '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', body: json({}) }, expected: { model: 'gemini-2.5-pro', source: 'path-segment' } },
  { name: 'chat with an empty JSON body: 400 with the Go error', input: { profile: 'bltcy', method: 'POST', path: '/v1/chat/completions', body: text('') }, expected: { problem: 'Invalid request, 无效的请求, unexpected end of JSON input', status: 400 } },
  { name: 'chat with a numeric model', input: { profile: 'bltcy', method: 'POST', path: '/v1/chat/completions', body: json({ model: 5 }) }, expected: { problem: 'Invalid request, 无效的请求, json: cannot unmarshal number into Go struct field ModelRequest.model of type string' } },
  { name: 'chat body key matched case-insensitively like encoding/json', input: { profile: 'bltcy', method: 'POST', path: '/v1/chat/completions', body: json({ Model: 'gpt-4o' }) }, expected: { model: 'gpt-4o' } },
  { name: 'chat body without JSON content type is not read', input: { profile: 'bltcy', method: 'POST', path: '/v1/chat/completions', body: text('{"model":"gpt-4o"}', 'text/plain') }, expected: { model: null, problem: NO_MODEL } },
  { name: 'midjourney imagine', input: { profile: 'bltcy', method: 'POST', path: '/mj/submit/imagine', body: json({ prompt: 'x' }) }, expected: { handler: 'RelayMidjourney', model: 'mj_imagine', source: 'midjourney', passthrough: false } },
  { name: 'midjourney mode prefix', input: { profile: 'bltcy', method: 'POST', path: '/fast/mj/submit/imagine', body: json({ prompt: 'x' }) }, expected: { pattern: '/:mode/mj/submit/imagine', model: 'mj_imagine', params: { mode: 'fast' } } },
  { name: 'midjourney plus action from customId', input: { profile: 'bltcy', method: 'POST', path: '/mj/submit/action', body: json({ customId: 'MJ::JOB::upsample::2::3dbbd469' }) }, expected: { model: 'mj_upscale' } },
  { name: 'midjourney customId without separators panics in the relay', input: { profile: 'bltcy', method: 'POST', path: '/mj/submit/action', body: json({ customId: 'abc' }) }, expected: { problem: /^Panic detected, error: runtime error: index out of range \[1\] with length 1/, status: 500 } },
  { name: 'midjourney task fetch selects no channel', input: { profile: 'bltcy', method: 'GET', path: '/mj/task/123/fetch' }, expected: { selects: false } },
  { name: 'midjourney image needs no token and no Distribute', input: { profile: 'bltcy', method: 'GET', path: '/mj/image/123' }, expected: { handler: 'RelayMidjourneyImage', chain: [], selects: false } },
  // RB §9
  { name: 'unknown /v1 path: 404 JSON', input: { profile: 'bltcy', method: 'POST', path: '/v1/unknown' }, expected: { pattern: null, unmatched: 'json-404', notFound: 'Invalid URL (POST /v1/unknown)' } },
  { name: 'unknown path outside /v1: the web page', input: { profile: 'bltcy', method: 'POST', path: '/luma/generations' }, expected: { pattern: null, unmatched: 'html-200' } },
  { name: '/assets is answered with 404 JSON', input: { profile: 'bltcy', method: 'GET', path: '/assets/none.js' }, expected: { unmatched: 'json-404' } },
  { name: 'trailing slash on POST: 307', input: { profile: 'bltcy', method: 'POST', path: '/v1/audio/generations/' }, expected: { pattern: null, redirect: { redirectTo: '/v1/audio/generations', status: 307 } } },
  { name: 'trailing slash on GET: 301', input: { profile: 'bltcy', method: 'GET', path: '/suno/credits/' }, expected: { redirect: { redirectTo: '/suno/credits', status: 301 } } },
  // GET has no /v1/audio/generations route, only /v1/audio/generations/:id: nothing to redirect to.
  { name: 'GET audio generations with slash: no GET route to redirect to', input: { profile: 'bltcy', method: 'GET', path: '/v1/audio/generations/' }, expected: { pattern: null, unmatched: 'json-404' } },
  { name: 'missing slash before a wildcard: redirect to the prefix', input: { profile: 'bltcy', method: 'POST', path: '/runway' }, expected: { redirect: { redirectTo: '/runway/', status: 307 } } },
  { name: 'jimeng without its slash keeps the query in the redirect', input: { profile: 'bltcy', method: 'POST', path: '/jimeng?Action=CVSync2AsyncSubmitTask' }, expected: { redirect: { redirectTo: '/jimeng/?Action=CVSync2AsyncSubmitTask', status: 307 } } },
  // operator prefixes
  { name: 'operator-defined passthrough prefix', input: { profile: 'bltcy', method: 'POST', path: '/luma/generations', extras: [{ prefix: '/luma/', model: 'luma' }] }, expected: { pattern: '/luma/*path', handler: 'RelayBltcy', model: 'luma', passthrough: true } },
];

const newApi: Case[] = [
  { name: 'chat with a model', input: { profile: 'new-api', method: 'POST', path: '/v1/chat/completions', body: json({ model: 'gpt-4o', messages: [] }) }, expected: { pattern: '/v1/chat/completions', handler: 'Relay', model: 'gpt-4o', source: 'json-body', selects: true, passthrough: false } },
  { name: 'chat without a model', input: { profile: 'new-api', method: 'POST', path: '/v1/chat/completions', body: json({ messages: [] }) }, expected: { model: null, problem: 'Model name not specified, model name cannot be empty', status: 400, variants: [NO_MODEL] } },
  {
    name: 'chat with a body that is not JSON',
    input: { profile: 'new-api', method: 'POST', path: '/v1/chat/completions', body: text('hello') },
    expected: {
      problem: 'Invalid request: Invalid request: invalid JSON request body',
      status: 400,
      variants: ['无效的请求，无效的请求，invalid JSON request body', "Invalid request, 无效的请求, invalid character 'h' looking for beginning of value"],
    },
  },
  { name: 'chat with a numeric model', input: { profile: 'new-api', method: 'POST', path: '/v1/chat/completions', body: json({ model: 1 }) }, expected: { problem: 'Invalid request: Invalid request: field model must be a string' } },
  { name: 'gemini native path', input: { profile: 'new-api', method: 'POST', path: '/v1beta/models/gemini-2.5-pro:generateContent', body: json({ contents: [] }) }, expected: { pattern: '/v1beta/models/*path', model: 'gemini-2.5-pro', source: 'path-segment' } },
  { name: 'realtime reads the query', input: { profile: 'new-api', method: 'GET', path: '/v1/realtime?model=gpt-4o-realtime-preview' }, expected: { model: 'gpt-4o-realtime-preview', source: 'query' } },
  { name: 'realtime without a model', input: { profile: 'new-api', method: 'GET', path: '/v1/realtime' }, expected: { model: null, problem: 'Model name not specified, model name cannot be empty' } },
  { name: 'moderations default', input: { profile: 'new-api', method: 'POST', path: '/v1/moderations', body: json({ input: 'x' }) }, expected: { model: 'text-moderation-stable' } },
  { name: 'image generations default', input: { profile: 'new-api', method: 'POST', path: '/v1/images/generations', body: json({ prompt: 'x' }) }, expected: { model: 'dall-e' } },
  { name: 'image edits read the form', input: { profile: 'new-api', method: 'POST', path: '/v1/images/edits', body: multipart({ model: 'gpt-image-1' }) }, expected: { model: 'gpt-image-1' } },
  { name: 'speech default', input: { profile: 'new-api', method: 'POST', path: '/v1/audio/speech', body: json({ input: 'x' }) }, expected: { model: 'tts-1' } },
  { name: 'transcription form model', input: { profile: 'new-api', method: 'POST', path: '/v1/audio/transcriptions', body: multipart({ model: 'whisper-large-v3' }) }, expected: { model: 'whisper-large-v3' } },
  { name: 'transcription default', input: { profile: 'new-api', method: 'POST', path: '/v1/audio/transcriptions', body: multipart({}) }, expected: { model: 'whisper-1' } },
  { name: 'engines embeddings fall back to the path', input: { profile: 'new-api', method: 'POST', path: '/v1/engines/text-embedding-3-small/embeddings', body: json({ input: 'x' }) }, expected: { model: 'text-embedding-3-small' } },
  { name: 'responses compact suffix', input: { profile: 'new-api', method: 'POST', path: '/v1/responses/compact', body: json({ model: 'gpt-5' }) }, expected: { model: 'gpt-5-openai-compact' } },
  { name: 'playground uses session auth', input: { profile: 'new-api', method: 'POST', path: '/pg/chat/completions', body: json({ model: 'gpt-4o', group: 'vip' }) }, expected: { chain: ['UserAuth', 'Distribute'], model: 'gpt-4o' } },
  { name: 'models list has TokenAuth only', input: { profile: 'new-api', method: 'GET', path: '/v1/models' }, expected: { handler: 'ListModels', chain: ['TokenAuth'], selects: false, source: 'none' } },
  { name: 'suno submit action model', input: { profile: 'new-api', method: 'POST', path: '/suno/submit/MUSIC', body: json({ prompt: 'x' }) }, expected: { handler: 'RelayTask', model: 'suno_music', source: 'suno-action' } },
  { name: 'suno fetch selects no channel', input: { profile: 'new-api', method: 'POST', path: '/suno/fetch', body: json({ ids: [] }) }, expected: { selects: false, handler: 'RelayTaskFetch' } },
  { name: 'sora multipart submit', input: { profile: 'new-api', method: 'POST', path: '/v1/videos', body: multipart({ model: 'sora-2', prompt: 'x' }) }, expected: { handler: 'RelayTask', model: 'sora-2', passthrough: false } },
  { name: 'sora poll selects no channel upstream', input: { profile: 'new-api', method: 'GET', path: '/v1/videos/video_1' }, expected: { pattern: '/v1/videos/:task_id', selects: false } },
  { name: 'kling converter passes model_name on', input: { profile: 'new-api', method: 'POST', path: '/kling/v1/videos/text2video', body: json({ model_name: 'kling-v2-master', prompt: 'x' }) }, expected: { model: 'kling-v2-master' } },
  { name: 'jimeng converter uses req_key', input: { profile: 'new-api', method: 'POST', path: '/jimeng/?Action=CVSync2AsyncSubmitTask', body: json({ req_key: 'jimeng_vgfm_t2v_l20' }) }, expected: { model: 'jimeng_vgfm_t2v_l20' } },
  { name: 'jimeng result query becomes a task fetch upstream', input: { profile: 'new-api', method: 'POST', path: '/jimeng/?Action=CVSync2AsyncGetResult', body: json({ task_id: 't1' }) }, expected: { selects: false } },
  { name: 'runwayml does not exist upstream: the web page', input: { profile: 'new-api', method: 'POST', path: '/runwayml/v1/image_to_video' }, expected: { pattern: null, unmatched: 'html-200' } },
  { name: 'BF-only /generate does not exist upstream', input: { profile: 'new-api', method: 'POST', path: '/generate' }, expected: { pattern: null, unmatched: 'html-200' } },
  { name: 'unknown /v1 path', input: { profile: 'new-api', method: 'POST', path: '/v1/unknown' }, expected: { unmatched: 'json-404', notFound: 'Invalid URL (POST /v1/unknown)' } },
  { name: 'chat is POST-only', input: { profile: 'new-api', method: 'GET', path: '/v1/chat/completions' }, expected: { pattern: null, methodNotRegistered: true, unmatched: 'json-404' } },
  { name: 'trailing slash on chat: 307', input: { profile: 'new-api', method: 'POST', path: '/v1/chat/completions/' }, expected: { redirect: { redirectTo: '/v1/chat/completions', status: 307 } } },
  { name: 'trailing slash on the models list: 301', input: { profile: 'new-api', method: 'GET', path: '/v1/models/' }, expected: { redirect: { redirectTo: '/v1/models', status: 301 } } },
  { name: 'operator prefixes only apply to the fork', input: { profile: 'new-api', method: 'POST', path: '/luma/x', extras: [{ prefix: '/luma/', model: 'luma' }] }, expected: { pattern: null, unmatched: 'html-200' } },
];

const oneApi: Case[] = [
  { name: 'chat with a model', input: { profile: 'one-api', method: 'POST', path: '/v1/chat/completions', body: json({ model: 'gpt-4' }) }, expected: { handler: 'Relay', model: 'gpt-4', chain: ['RelayPanicRecover', 'TokenAuth', 'Distribute'] } },
  { name: 'chat without a model selects for the empty name: 503', input: { profile: 'one-api', method: 'POST', path: '/v1/chat/completions', body: json({}) }, expected: { model: null, problem: '当前分组 %s 下对于模型  无可用渠道', status: 503 } },
  { name: 'chat with a broken body: 400 from TokenAuth', input: { profile: 'one-api', method: 'POST', path: '/v1/chat/completions', body: text('{') }, expected: { problem: 'common.UnmarshalBodyReusable failed: unexpected end of JSON input', status: 400 } },
  { name: 'embeddings do not check the body: the error becomes an empty model', input: { profile: 'one-api', method: 'POST', path: '/v1/embeddings', body: text('{') }, expected: { model: null, problem: '当前分组 %s 下对于模型  无可用渠道', status: 503 } },
  { name: 'image generations default dall-e-2', input: { profile: 'one-api', method: 'POST', path: '/v1/images/generations', body: json({ prompt: 'x' }) }, expected: { model: 'dall-e-2' } },
  { name: 'form body read by gin binding', input: { profile: 'one-api', method: 'POST', path: '/v1/audio/transcriptions', body: multipart({ model: 'whisper-large' }) }, expected: { model: 'whisper-large' } },
  { name: 'proxy route pins the channel', input: { profile: 'one-api', method: 'GET', path: '/v1/oneapi/proxy/3/v1/files' }, expected: { pattern: '/v1/oneapi/proxy/:channelid/*target', selects: false, params: { channelid: '3', target: '/v1/files' } } },
  { name: 'no /v1/responses in one-api', input: { profile: 'one-api', method: 'POST', path: '/v1/responses' }, expected: { pattern: null, unmatched: 'json-404' } },
  { name: 'no /runway in one-api', input: { profile: 'one-api', method: 'POST', path: '/runway/x' }, expected: { unmatched: 'html-200' } },
  { name: 'one-api has no /assets branch in NoRoute', input: { profile: 'one-api', method: 'GET', path: '/assets/app.js' }, expected: { unmatched: 'html-200' } },
];

describe('routeFor: the fork (bltcy)', () => {
  it.each(bltcy.map((c) => [c.name, c] as const))('%s', (_n, c) => check(c));
});
describe('routeFor: new-api', () => {
  it.each(newApi.map((c) => [c.name, c] as const))('%s', (_n, c) => check(c));
});
describe('routeFor: one-api', () => {
  it.each(oneApi.map((c) => [c.name, c] as const))('%s', (_n, c) => check(c));
});

describe('routeFor: misc', () => {
  it('marks OPTIONS as a CORS preflight on known and unknown paths alike', () => {
    expect(routeFor('bltcy', 'OPTIONS', '/runway/x').preflight).toBe(true);
    expect(routeFor('bltcy', 'OPTIONS', '/nowhere').preflight).toBe(true);
    expect(routeFor('bltcy', 'POST', '/runway/x').preflight).toBeUndefined();
  });

  it('matches on the decoded path, like gin on URL.Path', () => {
    const r = routeFor('bltcy', 'GET', '/v1/videos/sora-2-pro%3Atask_01');
    expect(r.params).toEqual({ id: 'sora-2-pro:task_01' });
    expect(r.model).toBe('sora-2-pro');
  });

  it('returns a copy of the table', () => {
    routeTable('bltcy').pop();
    expect(routeTable('bltcy').some((x) => x.pattern === '/jimeng/')).toBe(true);
  });

  it('accepts a lower-case method', () => {
    expect(routeFor('bltcy', 'post', '/runwayml/v1/image_to_video').model).toBe('runway');
  });
});

describe('routeTable', () => {
  const profiles: Profile[] = ['bltcy', 'new-api', 'one-api'];

  it.each(profiles)('%s: no (method, pattern) is registered twice (gin would panic)', (p) => {
    const seen = new Set<string>();
    for (const r of routeTable(p)) {
      for (const m of r.methods === 'ANY' ? GIN_ANY_METHODS : r.methods) {
        const key = `${m} ${r.pattern}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    }
  });

  it.each(profiles)('%s: every route is reached by a request on its own pattern', (p) => {
    for (const r of routeTable(p)) {
      const method = r.methods === 'ANY' ? 'POST' : r.methods[0]!;
      const path = r.pattern.replace(/:\w+/g, 'x1').replace(/\*\w+$/, 'tail');
      const query = r.pattern === '/jimeng/' ? '?Action=CVSync2AsyncSubmitTask' : '';
      const m = routeFor(p, method, path + query, { json: { model: 'm' } });
      expect(m.matched?.pattern, `${method} ${path}`).toBe(r.pattern);
      if (r.model.kind === 'fixed' && !r.chain.includes('JimengRequestConvert')) expect(m.model, r.pattern).toBe(r.model.model);
    }
  });

  it('appends operator routes for the fork only, and rejects clashes', () => {
    const extras = [{ prefix: 'luma', model: 'luma' }];
    expect(routeTable('bltcy', extras).at(-1)).toMatchObject({ pattern: '/luma/*path', handler: 'RelayBltcy', passthrough: true, expectsChannelType: [55] });
    expect(routeTable('new-api', extras).some((r) => r.pattern.startsWith('/luma'))).toBe(false);
    expect(() => routeTable('bltcy', [{ prefix: '/suno/', model: 'x' }])).toThrow(UsageError);
    expect(() => routeTable('bltcy', [{ prefix: '/runway/v2/', model: 'x' }])).toThrow(UsageError);
    expect(() => routeTable('bltcy', [{ prefix: '/:x/', model: 'x' }])).toThrow(UsageError);
  });

  it('passthrough routes of the fork expect type 55', () => {
    for (const r of routeTable('bltcy').filter((x) => x.handler === 'RelayBltcy')) expect(r.expectsChannelType).toContain(55);
    expect(routeTable('new-api').some((r) => r.passthrough)).toBe(false);
  });
});

describe('routeModels', () => {
  it('the fork routes its passthroughs by fixed models (RB §11.1)', () => {
    const m = routeModels('bltcy');
    expect([...m.fixed].sort()).toEqual(['jimeng', 'kling', 'minimax', 'pika', 'runway', 'sora-2', 'suno', 'suno_music', 'tripo']);
    expect(m.fixed.some((x) => x.startsWith('mj_'))).toBe(false);
    expect([...m.bodyDefaults].sort()).toEqual(['dall-e', 'text-moderation-stable', 'tts-1', 'whisper-1']);
  });

  it('upstream new-api has body defaults only', () => {
    const m = routeModels('new-api');
    expect(m.fixed).toEqual([]);
    expect([...m.bodyDefaults].sort()).toEqual(['dall-e', 'text-moderation-stable', 'tts-1', 'whisper-1']);
  });

  it('one-api defaults to dall-e-2', () => {
    expect([...routeModels('one-api').bodyDefaults].sort()).toEqual(['dall-e-2', 'text-moderation-stable', 'whisper-1']);
  });

  it('includes operator prefixes', () => {
    expect(routeModels('bltcy', [{ prefix: '/luma/', model: 'luma' }]).fixed).toContain('luma');
  });
});
