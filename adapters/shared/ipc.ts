// IPC socket files, the same way for every adapter that needs it (deno.ts, bun.ts): paths that fill
// all of sun_path, and libuv's readableAll/writableAll. Through node:fs, loaded on first use (Deno
// and Bun both have it), so importing this costs nothing.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import type * as Fs from 'node:fs';
import { failure } from '../../src/failure.ts';
import { sunPathSize } from '../../src/platform.ts';
import { codeOf } from './codes.ts';

let loaded: typeof Fs | undefined;
const fs = (): typeof Fs =>
  (loaded ??= (process as unknown as { getBuiltinModule(id: string): typeof Fs }).getBuiltinModule('node:fs'));

const SUN_PATH = sunPathSize() ?? 0;

/**
 * A path of exactly sun_path bytes, with no room for a NUL: Linux and Node take it, but Deno (Rust's
 * std) and Bun refuse it. Such a path is reached through a short stand-in instead (below).
 */
export function fillsSunPath(path: string): boolean {
  return path.length <= SUN_PATH && path.charCodeAt(0) !== 0 && Buffer.byteLength(path) === SUN_PATH;
}

let count = 0;
/** A short unused name; /tmp rather than os.tmpdir(), whose path may itself be long. */
const standIn = (tag = ''): string => `/tmp/.crossnet-${process.pid}-${tag}${++count}`;
const absolute = (path: string): string => (path[0] === '/' ? path : `${process.cwd()}/${path}`);

export function unlinkQuietly(path: string): void {
  try {
    fs().unlinkSync(path);
  } catch {
    // already gone
  }
}

// Connect stand-ins are kept for the process's life (a symlink names a path, so it stays right when
// the socket behind it is replaced), because two metadata writes per connect cost ~0.2 ms on a disk
// filesystem (measured on ext4 /tmp, more under load); at most LINKS_KEPT, removed at exit.
const LINKS_KEPT = 64;
const links = new Map<string, string>();
let unlinkAtExit = false;

/** A short path to connect to instead of `path`: a symlink to the socket, made once per path. */
export function connectPath(path: string): string {
  const abs = absolute(path);
  let link = links.get(abs);
  if (link !== undefined) return link;
  link = standIn('c');
  try {
    fs().symlinkSync(abs, link);
  } catch (err) {
    throw failure(codeOf(err));
  }
  if (links.size >= LINKS_KEPT) {
    const [oldest, old] = links.entries().next().value as [string, string];
    links.delete(oldest);
    // Later, so that a connect still resolving it (Deno connects on another thread) finds it.
    setTimeout(unlinkQuietly, 1000, old);
  }
  links.set(abs, link);
  if (!unlinkAtExit) {
    unlinkAtExit = true;
    process.on('exit', () => { for (const l of links.values()) unlinkQuietly(l); });
  }
  return link;
}

/**
 * Binds `path` through a short name: `bindAt` binds a short name in the socket's own directory
 * (reached through a symlink to that directory), which is then hard-linked to `path` and removed
 * (a socket is found by its inode, whatever the name; the same directory means the same
 * filesystem). `undo` releases what `bindAt` made when the link fails (an existing name is bind's
 * EADDRINUSE). Throws a Failure.
 */
export function bindPath<T>(path: string, bindAt: (short: string) => T, undo: (bound: T) => void): T {
  const abs = absolute(path);
  const dir = abs.slice(0, abs.lastIndexOf('/')) || '/';
  const link = standIn();
  const name = `${link.slice(5)}.sock`; // unique to this process, and not the link's own name when dir is /tmp
  try {
    fs().symlinkSync(dir, link);
  } catch (err) {
    throw failure(codeOf(err));
  }
  try {
    const bound = bindAt(`${link}/${name}`);
    try {
      fs().linkSync(`${dir}/${name}`, abs);
    } catch (err) {
      undo(bound);
      const code = codeOf(err);
      throw failure(code === 'EEXIST' ? 'EADDRINUSE' : code);
    } finally {
      unlinkQuietly(`${dir}/${name}`);
    }
    return bound;
  } finally {
    unlinkQuietly(link);
  }
}

/** libuv's uv_pipe_chmod: adds read and/or write for user, group and others to the socket file's mode. */
export function chmodIpc(path: string, readableAll: boolean, writableAll: boolean): void {
  const want = (readableAll ? 0o444 : 0) | (writableAll ? 0o222 : 0);
  try {
    const mode = fs().statSync(path).mode & 0o7777;
    if ((mode & want) !== want) fs().chmodSync(path, mode | want);
  } catch (err) {
    throw failure(codeOf(err), 'uv_pipe_chmod');
  }
}
