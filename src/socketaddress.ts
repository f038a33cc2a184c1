export class SocketAddress {}
