import { inspect } from 'node:util';

/**
 * A value that must never reach output. It prints as `***` through every path
 * (String(), JSON.stringify, util.inspect, template strings); only reveal() gives the text.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get length(): number {
    return this.#value.length;
  }
  isEmpty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [inspect.custom](): string {
    return 'Secret(***)';
  }
}

/** sk-abcd…wxyz at most: the contract's limit for showing a key. */
export function maskKey(key: string, keep = 4): string {
  const k = key.replace(/^sk-/, '');
  if (k.length <= keep * 2 + 2) return 'sk-***';
  return `sk-${k.slice(0, keep)}…${k.slice(-keep)}`;
}
