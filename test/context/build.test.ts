import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContext } from '../../src/context/build.js';
import { parseEnvFile } from '../../src/context/env.js';
import { Secret, maskKey } from '../../src/context/secret.js';
import { inspect } from 'node:util';

describe('the run context', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-ctx-'));
  const envFile = path.join(dir, '.env');
  fs.writeFileSync(envFile, '# relay\nexport SQL_DSN="postgres://u:pw@db:5432/relay"\nSYNC_FREQUENCY=60 # seconds\nMEMORY_CACHE_ENABLED=true\nCRYPTO_SECRET=\'abc def\'\n');

  it('layers: .env < process env < --env', () => {
    const ctx = buildContext({ common: { envFile, env: ['SYNC_FREQUENCY=5'] }, processEnv: { MEMORY_CACHE_ENABLED: 'false', PATH: '/bin' }, cwd: dir, stdoutIsTty: false });
    expect(ctx.env.values.SYNC_FREQUENCY).toBe('5');
    expect(ctx.env.sources.SYNC_FREQUENCY).toBe('--env');
    expect(ctx.env.values.MEMORY_CACHE_ENABLED).toBe('false');
    expect(ctx.env.sources.MEMORY_CACHE_ENABLED).toBe('process');
    expect(ctx.env.values.CRYPTO_SECRET).toBe('abc def');
    expect(ctx.env.values.PATH).toBeUndefined(); // only the relay's variables
    expect(ctx.db.target.engine).toBe('postgres');
    expect(ctx.db.chosenBy).toMatch(/SQL_DSN \(env-file\)/);
  });

  it('--dsn wins over SQL_DSN', () => {
    const ctx = buildContext({ common: { envFile, dsn: 'sqlite:///tmp/x.db' }, processEnv: {}, cwd: dir });
    expect(ctx.db.target.engine).toBe('sqlite');
    expect(ctx.db.chosenBy).toBe('--dsn');
  });

  it('is immutable', () => {
    const ctx = buildContext({ common: { envFile }, processEnv: {}, cwd: dir });
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(ctx.env.values)).toBe(true);
    expect(() => {
      (ctx.env.values as Record<string, string>).SQL_DSN = 'x';
    }).toThrow();
  });

  it('the token is a Secret that never prints', () => {
    const ctx = buildContext({ common: {}, target: { token: 'sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL' }, processEnv: {}, cwd: dir });
    const t = ctx.target.token!;
    expect(String(t)).toBe('***');
    expect(JSON.stringify(ctx.target)).not.toContain('abcdefghij');
    expect(inspect(ctx)).not.toContain('abcdefghij');
    expect(t).toBeInstanceOf(Secret);
    expect(maskKey('sk-abcdefghijklmnopqrstuvwxyz0123')).toBe('sk-abcd…0123');
  });

  it('rejects bad values with a usage error', () => {
    expect(() => buildContext({ common: { env: ['NOEQUALS'] }, processEnv: {}, cwd: dir })).toThrow(/KEY=VALUE/);
    expect(() => buildContext({ common: { relayUrl: ['ftp://x'] }, processEnv: {}, cwd: dir })).toThrow(/http/);
    expect(() => buildContext({ common: {}, target: { path: 'runway' }, processEnv: {}, cwd: dir })).toThrow(/start with \//);
    expect(() => buildContext({ common: { envFile: path.join(dir, 'missing.env') }, processEnv: {}, cwd: dir })).toThrow(/cannot read/);
  });

  it('parses .env files like the relay operators write them', () => {
    expect(parseEnvFile('A=1\nB="two words"\nC=\'x\'\n# comment\nD=val # trailing\nexport E=5\nbad line\n')).toEqual({ A: '1', B: 'two words', C: 'x', D: 'val', E: '5' });
  });
});
