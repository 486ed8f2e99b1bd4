// ChannelBaseURLs as built into BF and NA-0.9.16 (RB §15): both tables have 56 entries; a type at
// or beyond that with base_url '' indexes past the end and panics.

import { GoPanic } from './cache.js';
import type { ChannelRec } from './store.js';
import type { SandboxProduct } from './types.js';

const COMMON: string[] = [
  '', 'https://api.openai.com', 'https://oa.api2d.net', '', 'http://localhost:11434', 'https://api.openai-sb.com',
  'https://api.openaimax.com', 'https://api.ohmygpt.com', '', 'https://api.caipacity.com', 'https://api.aiproxy.io', '',
  'https://api.api2gpt.com', 'https://api.aigc2d.com', 'https://api.anthropic.com', 'https://aip.baidubce.com',
  'https://open.bigmodel.cn', 'https://dashscope.aliyuncs.com', '', 'https://api.360.cn', 'https://openrouter.ai/api',
  'https://api.aiproxy.io', 'https://fastgpt.run/api/openapi', 'https://hunyuan.tencentcloudapi.com',
  'https://generativelanguage.googleapis.com', 'https://api.moonshot.cn', 'https://open.bigmodel.cn', 'https://api.perplexity.ai',
  '', '', '', 'https://api.lingyiwanwu.com', '', '', 'https://api.cohere.ai', 'https://api.minimax.chat', '', 'https://api.dify.ai',
  'https://api.jina.ai', 'https://api.cloudflare.com', 'https://api.siliconflow.cn', '', 'https://api.mistral.ai',
  'https://api.deepseek.com', 'https://api.moka.ai', 'https://ark.cn-beijing.volces.com', 'https://qianfan.baidubce.com', '',
  'https://api.x.ai', 'https://api.coze.cn', 'https://api.klingai.com', 'https://visual.volcengineapi.com', 'https://api.vidu.cn',
];

const TABLES: Record<SandboxProduct, string[]> = {
  bltcy: [...COMMON, 'https://api.tripo3d.ai', '', ''],
  'new-api': [...COMMON, 'https://llm.submodel.ai', 'https://ark.cn-beijing.volces.com', 'https://api.openai.com'],
};

/** GetBaseURL (RB §3.8): NULL → '', '' → the type's default (panics past the table), else as stored. */
export function baseUrlOf(ch: ChannelRec, product: SandboxProduct): string {
  if (ch.baseUrl === null) return '';
  if (ch.baseUrl !== '') return ch.baseUrl;
  const table = TABLES[product];
  if (ch.type < 0 || ch.type >= table.length) throw new GoPanic(`runtime error: index out of range [${ch.type}] with length ${table.length}`);
  return table[ch.type]!;
}

const pollIndex = new Map<number, number>();

/** GetNextEnabledKey (RB §3.7): single key as stored; multi-key falls back to the first key when all are disabled. */
export function nextKey(ch: ChannelRec): string {
  if (!ch.info.isMultiKey) return ch.key;
  if (ch.key === '') return '';
  let keys: string[];
  const trimmed = ch.key.trim();
  keys = trimmed.startsWith('[') ? parseJsonKeys(trimmed) ?? splitKeys(ch.key) : splitKeys(ch.key);
  if (!keys.length) return '';
  const enabled = keys.map((_, i) => i).filter((i) => (ch.info.statusList?.[String(i)] ?? 1) === 1);
  if (!enabled.length) return keys[0]!;
  if (ch.info.multiKeyMode === 'random') return keys[enabled[Math.floor(Math.random() * enabled.length)]!]!;
  if (ch.info.multiKeyMode === 'polling') {
    const start = pollIndex.get(ch.id) ?? ch.info.pollingIndex;
    for (let i = 0; i < keys.length; i++) {
      const idx = ((start < 0 || start >= keys.length ? 0 : start) + i) % keys.length;
      if (enabled.includes(idx)) {
        pollIndex.set(ch.id, (idx + 1) % keys.length);
        return keys[idx]!;
      }
    }
  }
  return keys[enabled[0]!]!;
}

function splitKeys(key: string): string[] {
  return key.replace(/^\n+|\n+$/g, '').split('\n');
}

function parseJsonKeys(text: string): string[] | null {
  try {
    const arr = JSON.parse(text) as unknown;
    return Array.isArray(arr) ? arr.map((v) => JSON.stringify(v)) : null;
  } catch {
    return null;
  }
}
