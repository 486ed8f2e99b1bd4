import type { Build } from './product.js';

// The relay's "no channel" answers (RB §8.4): always 503, message per build.
export function noChannelAnswer(build: Build, group: string, model: string, error?: string): string {
  if (build === 'OA') return `503 当前分组 ${group} 下对于模型 ${model} 无可用渠道`;
  if (build === 'NA-2504') return error ? `503 当前分组 ${group} 下对于模型 ${model} 无可用渠道` : `503 当前分组 ${group} 下对于模型 ${model} 无可用渠道（数据库一致性已被破坏）`;
  if (build === 'BF') {
    return error
      ? `503 model_not_found 获取分组 ${group} 下模型 ${model} 的可用渠道失败（数据库一致性已被破坏，distributor）: ${error}`
      : `503 model_not_found 分组 ${group} 下模型 ${model} 无可用渠道（distributor）`;
  }
  if (build === 'NA-main') {
    return error
      ? `503 model_not_found Failed to get available channel for model ${model} under group ${group} (distributor): ${error}`
      : `503 model_not_found No available channel for model ${model} under group ${group} (distributor)`;
  }
  return error ? `503 model_not_found 获取分组 ${group} 下模型 ${model} 的可用渠道失败（distributor）: ${error}` : `503 model_not_found 分组 ${group} 下模型 ${model} 无可用渠道（distributor）`;
}
