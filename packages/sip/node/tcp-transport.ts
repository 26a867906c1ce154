/**
 * SIP over TCP (RFC 3261 §18): a net.Server for inbound connections, net.connect for
 * outbound ones; framing, keep-alives and limits live in StreamTransport.
 */
import { connect, createServer } from "node:net";
import { StreamTransport } from "./stream-transport.js";
import type { ConnectionTransportOptions } from "./transport.js";

export type TcpTransportOptions = ConnectionTransportOptions;

export class TcpTransport extends StreamTransport {
  constructor(options: TcpTransportOptions) {
    super(
      "tcp",
      {
        createServer: (onSocket) => createServer({ noDelay: true }, onSocket),
        connect: (address, port) => connect({ host: address, port, noDelay: true }),
        readyEvent: "connect",
      },
      options,
    );
  }
}
