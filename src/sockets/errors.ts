// SocketError, as the Sockets API draft defines it: an instance of TypeError whose message starts
// with "SocketError: ". Its `name` stays TypeError's, so Node prints
// `SocketError [TypeError]: SocketError: connection failed`, the draft's own example.

/**
 * The error of the WinterTC Sockets API. A TypeError; the message starts with `"SocketError: "`.
 * When the failure came from the socket below, `cause` is that error and `code` its Node error
 * code (`'ECONNREFUSED'`, `'ECONNRESET'`, `'ERR_TLS_CERT_ALTNAME_INVALID'`, …).
 */
export class SocketError extends TypeError {
  /** The Node error code of the failure below (`cause.code`), when there is one. */
  declare readonly code?: string;

  constructor(message?: string, options?: { cause?: unknown }) {
    super(`SocketError: ${message ?? ''}`, options);
    const code = (options?.cause as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string') {
      Object.defineProperty(this, 'code', { value: code, writable: true, configurable: true, enumerable: true });
    }
  }
}

/** A failure from the socket below as a SocketError (kept as is when it already is one). */
export function socketError(err: unknown): SocketError {
  if (err instanceof SocketError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SocketError(message, { cause: err });
}

/** Node error codes meaning the peer reset the connection (an RST), rather than a local failure. */
export function isPeerReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
