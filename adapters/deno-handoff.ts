// #17: a Deno.Conn as the compat handle Deno's child_process sends. Deno's node:net runs on
// compat handles (process.binding('tcp_wrap')); `TCP#openFromRid(rid)` opens one over the
// resource of a Deno.Conn, whose rid Deno keeps under a symbol named 'Deno.internal.rid'.
// A Deno.Listener's resource cannot be opened so (openFromRid answers -1): servers stay here.
import process from 'node:process';
import { failure } from '../src/failure.ts';

interface CompatTcp { openFromRid(rid: number): number }
type CompatTcpCtor = new (type: number) => CompatTcp;

function ridOf(resource: object): number | undefined {
  const key = Object.getOwnPropertySymbols(resource).find((k) => k.description === 'Deno.internal.rid');
  const rid = key === undefined ? undefined : (resource as Record<symbol, unknown>)[key];
  return typeof rid === 'number' ? rid : undefined;
}

/** A compat TCP handle over `conn`'s resource (both reach the same socket); throws a Failure. */
export function compatHandleOf(conn: object): unknown {
  const rid = ridOf(conn);
  const binding = (process as unknown as { binding?: (name: string) => { TCP?: CompatTcpCtor; constants?: Record<string, number> } }).binding;
  const tcp = typeof binding === 'function' ? binding('tcp_wrap') : undefined;
  if (rid === undefined || !tcp?.TCP) throw failure('ENOTSUP');
  const handle = new tcp.TCP(tcp.constants?.SOCKET ?? 0);
  if (typeof handle.openFromRid !== 'function' || handle.openFromRid(rid) !== 0) throw failure('ENOTSUP');
  return handle;
}
