import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TcpTransport } from "./tcp-transport.js";
import { Inbox, LOCALHOST, sipRequest, text } from "./testing/sockets.js";
import { TransportManager } from "./transport-manager.js";
import { UdpTransport } from "./udp-transport.js";
import { WsTransport } from "./ws-transport.js";

describe("TransportManager", () => {
  it("listens on every transport, routes sends by kind and reports counters", async () => {
    const manager = new TransportManager([
      new UdpTransport({ address: LOCALHOST, port: 0 }),
      new TcpTransport({ address: LOCALHOST, port: 0 }),
      new WsTransport({ address: LOCALHOST, port: 0 }),
    ]);
    const bound = await manager.listen();
    assert.deepEqual(bound.map((b) => b.transport), ["udp", "tcp", "ws"]);
    assert.deepEqual(manager.kinds, ["udp", "tcp", "ws"]);
    const inbox = new Inbox(manager);
    const udpPort = bound[0]!.port;
    const tcpPort = bound[1]!.port;
    // The manager sends to itself: over UDP, then over a new TCP connection.
    assert.ok(manager.send(Buffer.from(sipRequest("m-udp", "", "UDP")), { transport: "udp", address: LOCALHOST, port: udpPort }));
    assert.ok(manager.send(Buffer.from(sipRequest("m-tcp")), { transport: "tcp", address: LOCALHOST, port: tcpPort }));
    const got = await inbox.wait(2);
    assert.deepEqual(got.map((m) => m.source.transport).sort(), ["tcp", "udp"]);
    assert.ok(got.some((m) => /Call-ID: m-tcp/.test(text(m.bytes))));

    assert.equal(manager.send(Buffer.from("x"), { transport: "tls", address: LOCALHOST, port: 5061 }), false);
    const metrics = manager.metrics();
    assert.equal(metrics.no_transport_drops, 1);
    assert.equal(metrics.transports.udp?.packets_in, 1);
    assert.equal(metrics.transports.udp?.packets_out, 1);
    assert.equal(metrics.transports.tcp?.packets_in, 1);
    assert.equal(metrics.transports.tcp?.connections_open, 2, "the outbound and the accepted side");
    assert.equal(metrics.transports.ws?.drops.oversize, 0);
    assert.equal(metrics.transports.tls, undefined);
    await manager.close();
  });

  it("refuses two transports of one kind", () => {
    const udp = (): UdpTransport => new UdpTransport({ address: LOCALHOST, port: 0 });
    assert.throws(() => new TransportManager([udp(), udp()]), /two 'udp' transports/);
  });

  it("closes what it bound when one transport cannot listen", async () => {
    const holder = new TcpTransport({ address: LOCALHOST, port: 0 });
    const { port } = await holder.listen();
    const udp = new UdpTransport({ address: LOCALHOST, port: 0 });
    const manager = new TransportManager([udp, new TcpTransport({ address: LOCALHOST, port })]);
    await assert.rejects(manager.listen(), /EADDRINUSE/);
    assert.equal(udp.send(Buffer.from("x"), { transport: "udp", address: LOCALHOST, port: 9 }), false, "udp was closed again");
    await holder.close();
  });
});
