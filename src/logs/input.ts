import fs from 'node:fs';
import readline from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Does the file start with the gzip magic bytes? */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Lines of a readable stream, constant memory; stream errors are rethrown after the lines read so far. */
export async function* streamLines(input: Readable, signal?: AbortSignal): AsyncGenerator<string> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let failure: Error | undefined;
  const onError = (e: Error) => {
    failure = e;
    rl.close();
  };
  input.on('error', onError);
  const onAbort = () => rl.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const line of rl) yield line;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.off('error', onError);
  }
  if (failure) throw failure;
}

/** Lines of a plain or gzip file (detected by its magic bytes), or of stdin for `-`. */
export async function* fileLines(source: string, signal?: AbortSignal): AsyncGenerator<string> {
  if (source === '-') {
    yield* streamLines(process.stdin, signal);
    return;
  }
  const raw = fs.createReadStream(source);
  if (await isGzip(source)) {
    const gunzip = zlib.createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    yield* streamLines(raw.pipe(gunzip), signal);
  } else {
    yield* streamLines(raw, signal);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export interface FollowOptions {
  signal: AbortSignal;
  pollMs?: number;
  /** Called once, when the lines already in the file have been read. */
  onCaughtUp?: () => void;
}

/**
 * Lines of a growing file, like `tail -f` from the start: reads what is there, then polls for
 * appended bytes until the signal aborts. A truncated or replaced (rotated) file is read again
 * from its start.
 */
export async function* followFile(file: string, o: FollowOptions): AsyncGenerator<string> {
  const pollMs = o.pollMs ?? 250;
  let fh = await fs.promises.open(file, 'r');
  let ino = (await fh.stat()).ino;
  let pos = 0;
  let decoder = new StringDecoder('utf8');
  let pending = '';
  let caughtUp = false;
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        pending += decoder.write(chunk.subarray(0, bytesRead));
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          yield pending.slice(0, nl);
          pending = pending.slice(nl + 1);
        }
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        o.onCaughtUp?.();
      }
      if (o.signal.aborted) break;
      await sleep(pollMs, o.signal);
      const st = await fs.promises.stat(file).catch(() => undefined);
      if (st && (st.ino !== ino || st.size < pos)) {
        await fh.close();
        fh = await fs.promises.open(file, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        decoder = new StringDecoder('utf8');
        pending = '';
      }
    }
    pending += decoder.end();
    if (pending !== '') yield pending;
  } finally {
    await fh.close();
  }
}
