/** Node adapters for the SIP core: the transport layer (`@hotline/sip/node`). */
export * from "./transport.js";
export { emptyCounters, normalizeAddress } from "./transport-core.js";
export { TransportManager, type TransportMetrics } from "./transport-manager.js";
export { UdpTransport, type UdpTransportOptions } from "./udp-transport.js";
export { StreamTransport, type StreamSockets } from "./stream-transport.js";
export { TcpTransport, type TcpTransportOptions } from "./tcp-transport.js";
export { TlsTransport, type TlsTransportOptions } from "./tls-transport.js";
export { WsTransport, type WsTransportOptions } from "./ws-transport.js";
