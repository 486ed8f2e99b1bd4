// FormatMatchingModelName (RB §5.6): the second cache lookup, model limits and prices use it.
export function normalizeModelName(model: string, build: string): string {
  if (build !== 'NA-2504' && build !== 'OA') {
    if (/^gemini-2\.5-flash-lite.*-thinking-/.test(model)) return 'gemini-2.5-flash-lite-thinking-*';
    if (/^gemini-2\.5-flash.*-thinking-/.test(model)) return 'gemini-2.5-flash-thinking-*';
    if (/^gemini-2\.5-pro.*-thinking-/.test(model)) return 'gemini-2.5-pro-thinking-*';
  }
  if (model.startsWith('gpt-4-gizmo')) return 'gpt-4-gizmo-*';
  if (model.startsWith('gpt-4o-gizmo')) return 'gpt-4o-gizmo-*';
  return model;
}
