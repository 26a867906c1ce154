/**
 * SIP over TLS (RFC 3261 §18, §26.2.1): a tls.Server with the certificate and key read
 * from PEM files, tls.connect for outbound connections (verified against Node's CAs or
 * `clientTls.caPath`). Framing, keep-alives and limits live in StreamTransport.
 */
import { readFileSync } from "node:fs";
import { connect, createServer, type ConnectionOptions } from "node:tls";
import { isIP } from "node:net";
import { StreamTransport } from "./stream-transport.js";
import type { ClientTlsOptions, ConnectionTransportOptions, ServerTlsOptions } from "./transport.js";

const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface TlsTransportOptions extends ConnectionTransportOptions {
  tls: ServerTlsOptions;
}

export class TlsTransport extends StreamTransport {
  constructor(options: TlsTransportOptions) {
    // Read up front so a bad path fails at start-up, naming the file.
    const cert = readPem(options.tls.certPath, "certificate");
    const key = readPem(options.tls.keyPath, "private key");
    const client = clientOptions(options.clientTls);
    super(
      "tls",
      {
        // Handshakes count against maxConnectionsPerIp only once finished, so they must not
        // linger for Node's default 120 s: 10 s is ample on any real network.
        createServer: (onSocket) => createServer({ cert, key, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }, onSocket),
        connect: (address, port) => connect({ ...client, host: address, port, ...(isIP(address) === 0 && { servername: address }) }),
        readyEvent: "secureConnect",
      },
      options,
    );
  }
}

export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`TLS ${what} '${path}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** tls.connect options from ClientTlsOptions (shared with WSS). */
export function clientOptions(options: ClientTlsOptions | undefined): ConnectionOptions {
  const out: ConnectionOptions = { rejectUnauthorized: options?.rejectUnauthorized ?? true };
  if (options?.caPath !== undefined) out.ca = readPem(options.caPath, "CA file");
  return out;
}
