// crossnet/adapters/memory: the transport of one fresh in-memory network (crossnet/testing), for
// setTransport() or the adapter contract test (CROSSNET_ADAPTER=memory). A network's own `net`
// (createNetwork().net) is the usual way in; this entry runs the process's core over the network.
import type { Transport } from '../src/transport.ts';
import { createNetwork } from '../src/testing.ts';

export const transport: Transport = createNetwork().transport;
