import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { Inbox, LOCALHOST, recordingLog, sipRequest, text, until } from "./testing/sockets.js";
import type { BoundAddress } from "./transport.js";
import { UdpTransport } from "./udp-transport.js";

describe("UdpTransport", () => {
  const log = recordingLog();
  const a = new UdpTransport({ address: LOCALHOST, port: 0 });
  const b = new UdpTransport({ address: LOCALHOST, port: 0, maxMessageSize: 1000, log });
  let boundA: BoundAddress;
  let boundB: BoundAddress;
  const inboxA = new Inbox(a);

  before(async () => {
    boundA = await a.listen();
    boundB = await b.listen();
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it("binds an ephemeral port on 127.0.0.1", () => {
    assert.equal(boundB.transport, "udp");
    assert.equal(boundB.address, LOCALHOST);
    assert.ok(boundB.port > 0);
  });

  it("round-trips a request and its answer", async () => {
    const inboxB = new Inbox(b);
    const req = sipRequest("udp-1", "", "UDP");
    assert.equal(a.send(Buffer.from(req), { transport: "udp", address: LOCALHOST, port: boundB.port }), true);
    const [got] = await inboxB.wait(1);
    assert.ok(got !== undefined);
    assert.equal(text(got.bytes), req);
    assert.deepEqual(got.source, { transport: "udp", address: LOCALHOST, port: boundA.port });
    assert.ok(Math.abs(got.receivedAt - Date.now()) < 5000);
    assert.equal(b.send(Buffer.from("SIP/2.0 200 OK\r\n\r\n"), got.source), true);
    const [answer] = await inboxA.wait(1);
    assert.equal(text(answer!.bytes), "SIP/2.0 200 OK\r\n\r\n");
    const ca = a.counters();
    assert.equal(ca.packets_out, 1);
    assert.equal(ca.bytes_out, Buffer.byteLength(req));
    assert.equal(ca.packets_in, 1);
  });

  it("drops and counts a datagram over maxMessageSize, then serves the next", async () => {
    const inboxB = new Inbox(b);
    const raw = createSocket("udp4");
    const before = b.counters().drops.oversize;
    await new Promise<void>((r) => raw.send(Buffer.alloc(1001, 0x41), boundB.port, LOCALHOST, () => r()));
    await until(() => b.counters().drops.oversize === before + 1, "oversize drop counted");
    await new Promise<void>((r) => raw.send(Buffer.from(sipRequest("udp-2", "", "UDP")), boundB.port, LOCALHOST, () => r()));
    const [got] = await inboxB.wait(1);
    assert.match(text(got!.bytes), /Call-ID: udp-2/);
    raw.close();
  });

  it("consumes CRLF keep-alive datagrams without delivering them", async () => {
    const inboxB = new Inbox(b);
    const raw = createSocket("udp4");
    await new Promise<void>((r) => raw.send(Buffer.from("\r\n\r\n"), boundB.port, LOCALHOST, () => r()));
    await until(() => b.counters().keepalives === 1, "keep-alive counted");
    assert.equal(inboxB.messages.length, 0);
    raw.close();
  });

  it("survives a throwing handler: counts it, logs once, serves the next datagram", async () => {
    const seen: string[] = [];
    b.onMessage((m) => {
      seen.push(text(m.bytes));
      throw new Error("consumer bug");
    });
    for (const id of ["boom-1", "boom-2", "boom-3"]) a.send(Buffer.from(sipRequest(id, "", "UDP")), { transport: "udp", address: LOCALHOST, port: boundB.port });
    await until(() => seen.length === 3, "three datagrams served");
    assert.equal(b.counters().drops["handler-error"], 3);
    const warnings = log.entries.filter((e) => e.msg.startsWith("exception"));
    assert.equal(warnings.length, 1, "rate-limited to one warning");
    assert.equal(warnings[0]!.obj.err, "Error: consumer bug");
  });

  it("refuses unroutable destinations and oversize sends", () => {
    assert.equal(a.send(Buffer.from("x"), { transport: "udp", address: LOCALHOST, port: 0 }), false);
    assert.equal(b.send(Buffer.alloc(1001), { transport: "udp", address: LOCALHOST, port: boundA.port }), false);
    assert.equal(a.counters().drops.unroutable, 1);
    assert.equal(b.counters().drops.oversize, 2);
  });
});
