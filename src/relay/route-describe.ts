import type { ModelSource } from './route-types.js';

/** Where a route's routing model comes from, in a few words (route table, findings). */
export function describeModelSource(s: ModelSource): string {
  switch (s.kind) {
    case 'fixed':
      return `"${s.model}"${s.via ? ` (via ${s.via})` : ''}`;
    case 'json-body':
      return `body ${(s.fields ?? ['model']).join('|')}${s.default ? ` (default ${s.default})` : ''}${s.suffix ? ` + "${s.suffix}"` : ''}`;
    case 'form-field':
      return `form ${s.field}${s.default ? ` (default ${s.default})` : ''}`;
    case 'path-segment':
      return 'path segment before ":"';
    case 'query':
      return `query ${s.param}`;
    case 'midjourney':
      return 'mj_<action>';
    case 'suno-action':
      return 'suno_<action>';
    case 'id-prefix-or-default':
      return `:${s.param} prefix ${s.prefix}…, else ${s.default}`;
    case 'multipart-or-default':
      return `multipart ${s.field}, else ${s.default}; JSON body model`;
    case 'none':
      return `no channel selected${s.reason ? ` (${s.reason})` : ''}`;
    case 'unresolvable':
      return `unresolvable: ${s.reason}`;
  }
}
