// Public API of crossnet (filled in as the core lands).
export { isIP, isIPv4, isIPv6 } from './ip.js';
export { BlockList } from './blocklist.js';
export { SocketAddress } from './socketaddress.js';
