import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/context/dsn.js';
import { channelType, channelTypeTable, defaultBaseUrl, typeName, typeTableLength } from '../../src/relay/channel-types.js';
import { UsageError } from '../../src/types.js';

// RB §15 and failure-modes F48, table-driven.

interface Case {
  name: string;
  input: { product: Product; type: number; build?: string };
  expected: { name: string | undefined; url: string };
}

const cases: Case[] = [
  { name: '55 is the passthrough in the fork', input: { product: 'bltcy', type: 55 }, expected: { name: 'Bltcy', url: '' } },
  { name: '55 is Sora upstream', input: { product: 'new-api', type: 55 }, expected: { name: 'Sora', url: 'https://api.openai.com' } },
  { name: '53 is Tripo3D in the fork', input: { product: 'bltcy', type: 53 }, expected: { name: 'Tripo3D', url: 'https://api.tripo3d.ai' } },
  { name: '53 was unused in the fork before Tripo3D', input: { product: 'bltcy', type: 53, build: '2025-10-20' }, expected: { name: 'unused', url: '' } },
  { name: '53 is Submodel upstream', input: { product: 'new-api', type: 53 }, expected: { name: 'Submodel', url: 'https://llm.submodel.ai' } },
  { name: '54 is unused in the fork', input: { product: 'bltcy', type: 54 }, expected: { name: 'unused', url: '' } },
  { name: '56 does not exist in the fork', input: { product: 'bltcy', type: 56 }, expected: { name: undefined, url: '' } },
  { name: '56 is Replicate on NA-main', input: { product: 'new-api', type: 56, build: 'NA-main' }, expected: { name: 'Replicate', url: 'https://api.replicate.com' } },
  { name: '56 is beyond NA-0.9.16', input: { product: 'new-api', type: 56, build: 'NA-0.9.16' }, expected: { name: undefined, url: '' } },
  { name: '61 is beyond NA-main', input: { product: 'new-api', type: 61, build: 'NA-main' }, expected: { name: undefined, url: '' } },
  { name: '49 is beyond NA-2504', input: { product: 'new-api', type: 49, build: 'NA-2504' }, expected: { name: undefined, url: '' } },
  { name: '48 is xAI on NA-2504', input: { product: 'new-api', type: 48, build: 'NA-2504' }, expected: { name: 'xAI', url: 'https://api.x.ai' } },
  { name: 'one-api 27 is Minimax', input: { product: 'one-api', type: 27 }, expected: { name: 'Minimax', url: 'https://api.minimax.chat' } },
  { name: 'new-api 27 is Perplexity', input: { product: 'new-api', type: 27 }, expected: { name: 'Perplexity', url: 'https://api.perplexity.ai' } },
  { name: 'one-api 4 is CloseAI', input: { product: 'one-api', type: 4 }, expected: { name: 'CloseAI', url: 'https://api.closeai-proxy.xyz' } },
  { name: 'new-api 4 is Ollama', input: { product: 'new-api', type: 4 }, expected: { name: 'Ollama', url: 'http://localhost:11434' } },
  { name: 'one-api 19 default differs from new-api', input: { product: 'one-api', type: 19 }, expected: { name: 'AI360', url: 'https://ai.360.cn' } },
  { name: 'fork 37 is Dify (not the passthrough)', input: { product: 'bltcy', type: 37 }, expected: { name: 'Dify', url: 'https://api.dify.ai' } },
  { name: 'fork 49 is Coze', input: { product: 'bltcy', type: 49 }, expected: { name: 'Coze', url: 'https://api.coze.cn' } },
  { name: 'azure has no default', input: { product: 'new-api', type: 3 }, expected: { name: 'Azure', url: '' } },
  { name: 'negative type', input: { product: 'new-api', type: -1 }, expected: { name: undefined, url: '' } },
];

describe('channel type lookups', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { product, type, build } = c.input;
    expect(typeName(product, type, build)).toBe(c.expected.name);
    expect(defaultBaseUrl(product, type, build)).toBe(c.expected.url);
    expect(channelType(product, type, build)?.type ?? type).toBe(type);
  });
});

describe('table lengths (F48)', () => {
  const lengths: { name: string; input: { product: Product; build?: string }; expected: number }[] = [
    { name: 'BF', input: { product: 'bltcy', build: 'BF' }, expected: 56 },
    { name: 'BF by default', input: { product: 'bltcy' }, expected: 56 },
    { name: 'BF before type 55', input: { product: 'bltcy', build: '2025-10-01' }, expected: 53 },
    { name: 'NA-0.9.16', input: { product: 'new-api', build: 'NA-0.9.16' }, expected: 56 },
    { name: 'NA-main', input: { product: 'new-api', build: 'NA-main' }, expected: 61 },
    { name: 'NA-main by default', input: { product: 'new-api' }, expected: 61 },
    { name: 'NA-2504', input: { product: 'new-api', build: 'NA-2504' }, expected: 49 },
    { name: 'one-api', input: { product: 'one-api' }, expected: 52 },
  ];
  it.each(lengths.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(typeTableLength(c.input.product, c.input.build)).toBe(c.expected);
  });

  it('every table is contiguous from 0 (ChannelBaseURLs has no holes)', () => {
    for (const product of ['bltcy', 'new-api', 'one-api'] as const) {
      for (const build of [undefined, '2025-04-11', '2025-10-11', '2025-11-04', '2026-01-20']) {
        const t = channelTypeTable(product, build);
        t.forEach((row, i) => expect(row?.type, `${product} ${build} #${i}`).toBe(i));
        expect(Object.keys(t)).toHaveLength(t.length);
      }
    }
  });

  it('rejects an unknown build label', () => {
    expect(() => typeTableLength('new-api', 'v1.2')).toThrow(UsageError);
  });
});
