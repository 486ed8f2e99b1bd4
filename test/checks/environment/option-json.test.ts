import { describe } from 'vitest';
import { optionJson } from '../../../src/checks/environment/option-json.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('environment/option-json', () => {
  checkTester(optionJson, [
    { name: 'valid options: nothing', snap: snapshot({ options: { GroupRatio: '{"default":1}', UserUsableGroups: '{"default":"d"}', AutoGroups: '["default"]' } }), expect: [] },
    { name: 'absent options use defaults: nothing', snap: snapshot(), expect: [] },
    { name: 'GroupRatio syntax error empties the map', snap: snapshot({ options: { GroupRatio: '{"default":1,}' } }), expect: [{ code: 'OPTION_JSON_INVALID', status: 'fail', match: /GroupRatio.*empties.*已被弃用/ }] },
    { name: 'ratio given as a string is a type error (partial map)', snap: snapshot({ options: { GroupRatio: '{"default":"1","vip":2}' } }), expect: [{ code: 'OPTION_JSON_INVALID', match: /partly/ }] },
    { name: 'AutoGroups must be an array of strings', snap: snapshot({ options: { AutoGroups: '{"default":1}' } }), expect: [{ code: 'OPTION_JSON_INVALID', match: /AutoGroups/ }] },
    { name: 'one finding per broken option', snap: snapshot({ options: { ModelPrice: 'not json', ModelRatio: '{' } }), expect: [{ code: 'OPTION_JSON_INVALID', match: /ModelPrice/ }, { code: 'OPTION_JSON_INVALID', match: /ModelRatio/ }] },
    { name: 'unrelated non-JSON option is ignored', snap: snapshot({ options: { SystemName: 'not json at all' } }), expect: [] },
    { name: 'empty string is an empty map, not an error', snap: snapshot({ options: { ModelPrice: '' } }), expect: [] },
  ]);
});
