// Facts about the OS that crossnet's behaviour depends on (not about the runtime: see runtime.ts).
import process from 'node:process';

/**
 * Bytes in `sockaddr_un.sun_path` on `platform`: the longest IPC path the OS takes (a path may
 * fill it with no NUL). 108 on Linux (and Android, Solaris/illumos, Cygwin), 104 on macOS and the
 * BSDs, 1023 on AIX; 104 where unknown, the smaller common size. Undefined on Windows, where an IPC
 * path names a pipe (`\\.\pipe\…`), not a socket file.
 */
export function sunPathSize(platform: string = process.platform): number | undefined {
  switch (platform) {
    case 'win32':
      return undefined;
    case 'linux':
    case 'android':
    case 'sunos':
    case 'cygwin':
      return 108;
    case 'aix':
      return 1023;
    default: // darwin, freebsd, openbsd, netbsd, other BSDs
      return 104;
  }
}

/** Whether IPC paths are Windows named pipes on `platform` (Node: any IPC path there is one). */
export function ipcIsNamedPipe(platform: string = process.platform): boolean {
  return platform === 'win32';
}

/** What an unsupported named pipe is called in ERR_CROSSNET_UNSUPPORTED (names the platform). */
export const NAMED_PIPES = 'IPC on Windows (named pipes, \\\\.\\pipe\\… and \\\\?\\pipe\\…)';
