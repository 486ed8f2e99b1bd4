import { describe } from 'vitest';
import { modelResolve } from '../../../src/checks/route/model-resolve.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('route/model-resolve', () => {
  checkTester(modelResolve, [
    { name: 'passthrough path fixes the model', snap: snapshot({ target: { path: '/runwayml/v1/image_to_video' } }), expect: [] },
    { name: 'chat completions without a body: no model', snap: snapshot({ product: 'new-api', target: { path: '/v1/chat/completions' } }), expect: [{ code: 'MODEL_UNRESOLVED', status: 'fail' }] },
    { name: 'chat completions with a model in the body', snap: snapshot({ product: 'new-api', target: { path: '/v1/chat/completions', body: '{"model":"gpt-4o"}' } }), expect: [] },
    { name: 'body that is not JSON: the relay answers 400', snap: snapshot({ product: 'new-api', target: { path: '/v1/chat/completions', body: '{"model":' } }), expect: [{ code: 'MODEL_UNRESOLVED', match: /400/ }] },
    { name: '--model stands in for a body model', snap: snapshot({ product: 'new-api', target: { path: '/v1/chat/completions', model: 'gpt-4o' } }), expect: [] },
    { name: 'BF GET /feed/:id can never derive a model', snap: snapshot({ target: { path: '/feed/abc', method: 'GET' } }), expect: [{ code: 'MODEL_UNRESOLVED' }] },
    { name: 'task fetch selects no channel: nothing to resolve', snap: snapshot({ target: { path: '/v1/video/generations/task_1', method: 'GET' } }), expect: [] },
  ]);
});
