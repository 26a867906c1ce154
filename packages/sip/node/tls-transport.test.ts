import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { Inbox, LOCALHOST, record, selfSignedCert, sipRequest, text, until } from "./testing/sockets.js";
import { TlsTransport } from "./tls-transport.js";
import type { BoundAddress } from "./transport.js";

describe("TlsTransport", () => {
  let cert: ReturnType<typeof selfSignedCert>;
  let server: TlsTransport;
  let bound: BoundAddress;

  before(async () => {
    cert = selfSignedCert();
    server = new TlsTransport({ address: LOCALHOST, port: 0, tls: cert, clientTls: { caPath: cert.certPath } });
    bound = await server.listen();
  });
  after(async () => {
    await server.close();
    cert.cleanup();
  });

  it("frames a message split over three writes and answers a ping, over TLS", async () => {
    const inbox = new Inbox(server);
    const socket = connect({ host: LOCALHOST, port: bound.port, ca: readFileSync(cert.certPath) });
    await once(socket, "secureConnect");
    const rec = record(socket);
    const msg = Buffer.from(sipRequest("tls-1", "v=0\r\n", "TLS"));
    const cuts = [0, 9, 200, msg.length];
    const start = server.counters().bytes_in;
    for (let i = 0; i < 3; i++) {
      socket.write(msg.subarray(cuts[i], cuts[i + 1]));
      await until(() => server.counters().bytes_in === start + cuts[i + 1]!, `part ${i + 1} read`);
    }
    const [got] = await inbox.wait(1);
    assert.equal(text(got!.bytes), msg.toString());
    assert.equal(got!.source.transport, "tls");
    assert.match(got!.source.connectionId ?? "", /^tls-/);
    socket.write("\r\n\r\n");
    await until(() => rec.data() === "\r\n", "pong over TLS");
    assert.ok(server.send(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), got!.source));
    await until(() => rec.data().includes("200 OK"), "answer over TLS");
    socket.destroy();
  });

  it("connects out over TLS, verifying the peer against the configured CA", async () => {
    const client = new TlsTransport({ address: LOCALHOST, port: 0, tls: cert, clientTls: { caPath: cert.certPath } });
    await client.listen();
    const inbox = new Inbox(server);
    assert.ok(client.send(Buffer.from(sipRequest("tls-out", "", "TLS")), { transport: "tls", address: LOCALHOST, port: bound.port }));
    const [got] = await inbox.wait(1);
    assert.match(text(got!.bytes), /Call-ID: tls-out/);
    await client.close();
  });

  it("fails an outbound connection to an untrusted certificate", async () => {
    const client = new TlsTransport({ address: LOCALHOST, port: 0, tls: cert });
    assert.ok(client.send(Buffer.from(sipRequest("tls-untrusted", "", "TLS")), { transport: "tls", address: LOCALHOST, port: bound.port }));
    await until(() => client.counters().drops["connect-failed"] === 1, "verification failure counted");
    await client.close();
  });

  it("names the file when a certificate path is wrong", () => {
    assert.throws(() => new TlsTransport({ address: LOCALHOST, port: 0, tls: { certPath: "/nonexistent/cert.pem", keyPath: cert.keyPath } }), /TLS certificate '\/nonexistent\/cert.pem'/);
  });
});
