// Making and recognising the transport contract's Failure values (see src/transport.ts).
import type { Failure } from './transport.ts';

/** A Failure; `syscall` only when the failing step is not the operation's own. */
export const failure = (code: string, syscall?: string): Failure => (syscall ? { code, syscall } : { code });

/** True for a Failure an adapter threw, as opposed to a bug (a real Error) that must propagate. */
export const isFailure = (x: unknown): x is Failure =>
  typeof x === 'object' && x !== null && !(x instanceof Error) && typeof (x as Failure).code === 'string';
