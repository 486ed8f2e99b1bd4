import { describe, expect, it } from 'vitest';
import { langFromEnv, resolveLang } from '../../src/i18n/lang.js';
import { UsageError } from '../../src/types.js';

describe('language', () => {
  it('follows LC_ALL, LC_MESSAGES, LANG, then LANGUAGE (gettext order): zh* ⇒ zh', () => {
    expect(langFromEnv({})).toBe('en');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANG: 'zh_TW.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' })).toBe('en');
    expect(langFromEnv({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANG: 'en_US.UTF-8', LANGUAGE: 'zh_CN:en' })).toBe('zh');
    expect(langFromEnv({ LANGUAGE: 'zh_CN' })).toBe('zh');
    // The C locale disables LANGUAGE, as in gettext.
    expect(langFromEnv({ LC_ALL: 'C', LANGUAGE: 'zh_CN' })).toBe('en');
    expect(langFromEnv({ LANG: 'C.UTF-8' })).toBe('en');
  });

  it('--lang wins and is validated', () => {
    expect(resolveLang('zh', { LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(resolveLang('EN', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(resolveLang('zh-CN', {})).toBe('zh');
    expect(resolveLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(() => resolveLang('fr', {})).toThrow(UsageError);
  });
});
