import type { Product } from '../context/dsn.js';
import { UsageError } from '../types.js';

// Channel type numbers per product and build (RB §15). The same number means different
// things in new-api, the Bltcy fork and one-api (55 is Sora upstream, the passthrough in the
// fork), and a type beyond the running build's table panics when base_url is empty (F48), so
// every lookup takes the product and, optionally, the build.

export interface ChannelTypeInfo {
  type: number;
  name: string;
  /** The relay's fallback when channels.base_url is empty; '' when there is none. */
  defaultBaseUrl: string;
  /** Number reserved in the table but not used by any channel type. */
  unused?: boolean;
  /** Code date the type entered the table (RB §15.1; fork dates from its history). */
  since?: string;
}

interface Row extends ChannelTypeInfo {
  /** First code date on which this row no longer applies. */
  until?: string;
}

/** Code dates of the builds RB §0 names; a build may also be given as YYYY-MM-DD. */
export const BUILD_DATES: Record<string, string> = {
  'NA-main': '2026-08-08',
  'NA-0.9.16': '2025-11-04',
  'NA-2504': '2025-04-11',
  BF: '2025-12-29',
  OA: '2025-02-21',
};

const NEWEST: Record<Product, string> = { 'new-api': 'NA-main', bltcy: 'BF', 'one-api': 'OA' };

const row = (type: number, name: string, defaultBaseUrl = '', since?: string): Row =>
  since ? { type, name, defaultBaseUrl, since } : { type, name, defaultBaseUrl };
const unused = (type: number, since?: string, until?: string): Row => ({
  type,
  name: 'unused',
  defaultBaseUrl: '',
  unused: true,
  ...(since ? { since } : {}),
  ...(until ? { until } : {}),
});

// new-api constant/channel.go (NA-main), RB §15.1. Coze's date is from the upstream history
// carried in the fork's repository (commit "add coze request", 2025-05-13).
const NEW_API_COMMON: Row[] = [
  row(0, 'Unknown'),
  row(1, 'OpenAI', 'https://api.openai.com'),
  row(2, 'Midjourney', 'https://oa.api2d.net'),
  row(3, 'Azure'),
  row(4, 'Ollama', 'http://localhost:11434'),
  row(5, 'MidjourneyPlus', 'https://api.openai-sb.com'),
  row(6, 'OpenAIMax', 'https://api.openaimax.com'),
  row(7, 'OhMyGPT', 'https://api.ohmygpt.com'),
  row(8, 'Custom'),
  row(9, 'AILS', 'https://api.caipacity.com'),
  row(10, 'AIProxy', 'https://api.aiproxy.io'),
  row(11, 'PaLM'),
  row(12, 'API2GPT', 'https://api.api2gpt.com'),
  row(13, 'AIGC2D', 'https://api.aigc2d.com'),
  row(14, 'Anthropic', 'https://api.anthropic.com'),
  row(15, 'Baidu', 'https://aip.baidubce.com'),
  row(16, 'Zhipu', 'https://open.bigmodel.cn'),
  row(17, 'Ali', 'https://dashscope.aliyuncs.com'),
  row(18, 'Xunfei'),
  row(19, '360', 'https://api.360.cn'),
  row(20, 'OpenRouter', 'https://openrouter.ai/api'),
  row(21, 'AIProxyLibrary', 'https://api.aiproxy.io'),
  row(22, 'FastGPT', 'https://fastgpt.run/api/openapi'),
  row(23, 'Tencent', 'https://hunyuan.tencentcloudapi.com'),
  row(24, 'Gemini', 'https://generativelanguage.googleapis.com'),
  row(25, 'Moonshot', 'https://api.moonshot.cn'),
  row(26, 'ZhipuV4', 'https://open.bigmodel.cn'),
  row(27, 'Perplexity', 'https://api.perplexity.ai'),
  unused(28),
  unused(29),
  unused(30),
  row(31, 'LingYiWanWu', 'https://api.lingyiwanwu.com'),
  unused(32),
  row(33, 'AWS'),
  row(34, 'Cohere', 'https://api.cohere.ai'),
  row(35, 'MiniMax', 'https://api.minimax.chat'),
  row(36, 'SunoAPI'),
  row(37, 'Dify', 'https://api.dify.ai'),
  row(38, 'Jina', 'https://api.jina.ai'),
  row(39, 'Cloudflare', 'https://api.cloudflare.com'),
  row(40, 'SiliconFlow', 'https://api.siliconflow.cn'),
  row(41, 'VertexAI'),
  row(42, 'Mistral', 'https://api.mistral.ai'),
  row(43, 'DeepSeek', 'https://api.deepseek.com'),
  row(44, 'MokaAI', 'https://api.moka.ai'),
  row(45, 'VolcEngine', 'https://ark.cn-beijing.volces.com'),
  row(46, 'BaiduV2', 'https://qianfan.baidubce.com'),
  row(47, 'Xinference'),
  row(48, 'xAI', 'https://api.x.ai', '2025-04-10'),
  row(49, 'Coze', 'https://api.coze.cn', '2025-05-13'),
  row(50, 'Kling', 'https://api.klingai.com', '2025-06-08'),
  row(51, 'Jimeng', 'https://visual.volcengineapi.com', '2025-06-20'),
  row(52, 'Vidu', 'https://api.vidu.cn', '2025-07-23'),
];

const NEW_API: Row[] = [
  ...NEW_API_COMMON,
  row(53, 'Submodel', 'https://llm.submodel.ai', '2025-09-08'),
  row(54, 'DoubaoVideo', 'https://ark.cn-beijing.volces.com', '2025-10-02'),
  row(55, 'Sora', 'https://api.openai.com', '2025-10-08'),
  row(56, 'Replicate', 'https://api.replicate.com', '2025-11-08'),
  row(57, 'ChatGPT subscription (Codex)', 'https://chatgpt.com', '2026-01-14'),
  row(58, 'Advanced Custom', '', '2026-06-18'),
  row(59, 'Sub2API', '', '2026-07-26'),
  row(60, 'New API', '', '2026-07-27'),
];

// The fork (RB §15.2): upstream up to 52, then its own 53–55. Before 2025-10-11 the table ended
// at 52. On 2025-10-11 a Runway 53 / Luma 54 pair lived for a few hours before 55 replaced it;
// day-granular dates cannot tell those builds apart, so they are not modelled.
const BLTCY: Row[] = [
  ...NEW_API_COMMON,
  unused(53, '2025-10-11', '2025-11-13'),
  row(53, 'Tripo3D', 'https://api.tripo3d.ai', '2025-11-13'),
  unused(54, '2025-10-11'),
  row(55, 'Bltcy', '', '2025-10-11'),
];

// one-api relay/channeltype/define.go and url.go (RB §15.3); one build.
const ONE_API: Row[] = [
  row(0, 'Unknown'),
  row(1, 'OpenAI', 'https://api.openai.com'),
  row(2, 'API2D', 'https://oa.api2d.net'),
  row(3, 'Azure'),
  row(4, 'CloseAI', 'https://api.closeai-proxy.xyz'),
  row(5, 'OpenAISB', 'https://api.openai-sb.com'),
  row(6, 'OpenAIMax', 'https://api.openaimax.com'),
  row(7, 'OhMyGPT', 'https://api.ohmygpt.com'),
  row(8, 'Custom'),
  row(9, 'Ails', 'https://api.caipacity.com'),
  row(10, 'AIProxy', 'https://api.aiproxy.io'),
  row(11, 'PaLM', 'https://generativelanguage.googleapis.com'),
  row(12, 'API2GPT', 'https://api.api2gpt.com'),
  row(13, 'AIGC2D', 'https://api.aigc2d.com'),
  row(14, 'Anthropic', 'https://api.anthropic.com'),
  row(15, 'Baidu', 'https://aip.baidubce.com'),
  row(16, 'Zhipu', 'https://open.bigmodel.cn'),
  row(17, 'Ali', 'https://dashscope.aliyuncs.com'),
  row(18, 'Xunfei'),
  row(19, 'AI360', 'https://ai.360.cn'),
  row(20, 'OpenRouter', 'https://openrouter.ai/api'),
  row(21, 'AIProxyLibrary', 'https://api.aiproxy.io'),
  row(22, 'FastGPT', 'https://fastgpt.run/api/openapi'),
  row(23, 'Tencent', 'https://hunyuan.tencentcloudapi.com'),
  row(24, 'Gemini', 'https://generativelanguage.googleapis.com'),
  row(25, 'Moonshot', 'https://api.moonshot.cn'),
  row(26, 'Baichuan', 'https://api.baichuan-ai.com'),
  row(27, 'Minimax', 'https://api.minimax.chat'),
  row(28, 'Mistral', 'https://api.mistral.ai'),
  row(29, 'Groq', 'https://api.groq.com/openai'),
  row(30, 'Ollama', 'http://localhost:11434'),
  row(31, 'LingYiWanWu', 'https://api.lingyiwanwu.com'),
  row(32, 'StepFun', 'https://api.stepfun.com'),
  row(33, 'AwsClaude'),
  row(34, 'Coze', 'https://api.coze.com'),
  row(35, 'Cohere', 'https://api.cohere.ai'),
  row(36, 'DeepSeek', 'https://api.deepseek.com'),
  row(37, 'Cloudflare', 'https://api.cloudflare.com'),
  row(38, 'DeepL', 'https://api-free.deepl.com'),
  row(39, 'TogetherAI', 'https://api.together.xyz'),
  row(40, 'Doubao', 'https://ark.cn-beijing.volces.com'),
  row(41, 'Novita', 'https://api.novita.ai/v3/openai'),
  row(42, 'VertexAI'),
  row(43, 'Proxy'),
  row(44, 'SiliconFlow', 'https://api.siliconflow.cn'),
  row(45, 'XAI', 'https://api.x.ai'),
  row(46, 'Replicate', 'https://api.replicate.com/v1/models/'),
  row(47, 'BaiduV2', 'https://qianfan.baidubce.com'),
  row(48, 'XunfeiV2', 'https://spark-api-open.xf-yun.com'),
  row(49, 'AliBailian', 'https://dashscope.aliyuncs.com'),
  row(50, 'OpenAICompatible'),
  row(51, 'GeminiOpenAICompatible', 'https://generativelanguage.googleapis.com/v1beta/openai/'),
];

const TABLES: Record<Product, Row[]> = { 'new-api': NEW_API, bltcy: BLTCY, 'one-api': ONE_API };

/** Turns a build label (NA-main, NA-0.9.16, NA-2504, BF, OA) or a YYYY-MM-DD code date into a date. */
export function buildDate(product: Product, build?: string): string {
  const b = build ?? NEWEST[product];
  const date = BUILD_DATES[b] ?? (/^\d{4}-\d{2}-\d{2}$/.test(b) ? b : undefined);
  if (!date) throw new UsageError(`unknown build "${b}": use NA-main, NA-0.9.16, NA-2504, BF, OA or a YYYY-MM-DD date`);
  return date;
}

function active(r: Row, date: string): boolean {
  return (!r.since || r.since <= date) && (!r.until || date < r.until);
}

function strip(r: Row): ChannelTypeInfo {
  const { until: _until, ...info } = r;
  return info;
}

/** The product's type table as the given build has it, indexed by type number. */
export function channelTypeTable(product: Product, build?: string): ChannelTypeInfo[] {
  const date = buildDate(product, build);
  const out: ChannelTypeInfo[] = [];
  for (const r of TABLES[product]) if (active(r, date)) out[r.type] = strip(r);
  return out;
}

export function channelType(product: Product, type: number, build?: string): ChannelTypeInfo | undefined {
  if (!Number.isInteger(type) || type < 0) return undefined;
  return channelTypeTable(product, build)[type];
}

/**
 * The type's fallback base URL, or '' when it has none. A type the build does not know also
 * gives '': compare with typeTableLength, since the relay panics there (F48).
 */
export function defaultBaseUrl(product: Product, type: number, build?: string): string {
  return channelType(product, type, build)?.defaultBaseUrl ?? '';
}

export function typeName(product: Product, type: number, build?: string): string | undefined {
  return channelType(product, type, build)?.name;
}

/** Length of the build's ChannelBaseURLs; types at or beyond it with an empty base_url panic. */
export function typeTableLength(product: Product, build?: string): number {
  return channelTypeTable(product, build).length;
}
