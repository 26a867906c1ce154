import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { TcpTransport } from "./tcp-transport.js";
import { Inbox, LOCALHOST, record, recordingLog, sipRequest, text, until } from "./testing/sockets.js";
import type { BoundAddress } from "./transport.js";

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: LOCALHOST, port });
  await once(socket, "connect");
  return socket;
}

describe("TcpTransport", () => {
  const log = recordingLog();
  const server = new TcpTransport({ address: LOCALHOST, port: 0, maxMessageSize: 4096, maxConnectionsPerIp: 50, log });
  let bound: BoundAddress;
  const sockets: Socket[] = [];
  const open = async (): Promise<Socket> => {
    const s = await dial(bound.port);
    sockets.push(s);
    return s;
  };

  before(async () => {
    bound = await server.listen();
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
  });

  it("frames a message split over three writes", async () => {
    const inbox = new Inbox(server);
    const socket = await open();
    const msg = Buffer.from(sipRequest("split-1", "v=0\r\n"));
    const cuts = [0, 17, 150, msg.length];
    const start = server.counters().bytes_in;
    for (let i = 0; i < 3; i++) {
      socket.write(msg.subarray(cuts[i], cuts[i + 1]));
      // Wait until the server has read this part, so each write is its own chunk.
      await until(() => server.counters().bytes_in === start + cuts[i + 1]!, `part ${i + 1} read`);
      if (i < 2) assert.equal(inbox.messages.length, 0, "no message before the last part");
    }
    const [got] = await inbox.wait(1);
    assert.equal(text(got!.bytes), msg.toString());
    assert.equal(got!.source.transport, "tcp");
    assert.equal(got!.source.address, LOCALHOST);
    assert.equal(got!.source.port, socket.localPort);
    assert.match(got!.source.connectionId ?? "", /^tcp-[0-9a-f]{8}-\d+$/);
  });

  it("frames two messages in one write and answers over the same connection", async () => {
    const inbox = new Inbox(server);
    const socket = await open();
    const rec = record(socket);
    socket.write(sipRequest("two-1") + sipRequest("two-2", "hello"));
    const [m1, m2] = await inbox.wait(2);
    assert.match(text(m1!.bytes), /Call-ID: two-1/);
    assert.match(text(m2!.bytes), /hello$/);
    assert.equal(m1!.source.connectionId, m2!.source.connectionId);
    assert.equal(server.send(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), m1!.source), true);
    await until(() => rec.data().includes("200 OK"), "answer received");
  });

  it("answers a CRLFCRLF ping with a CRLF pong", async () => {
    const socket = await open();
    const rec = record(socket);
    const before = server.counters().keepalives;
    socket.write("\r\n\r\n");
    await until(() => rec.data() === "\r\n", "pong received");
    assert.equal(server.counters().keepalives, before + 1);
  });

  it("answers a request without Content-Length with 400, then closes", async () => {
    const socket = await open();
    const rec = record(socket);
    const before = server.counters().drops["bad-framing"];
    socket.write(sipRequest("nolen").replace("Content-Length: 0\r\n", ""));
    await rec.closed;
    assert.match(rec.data(), /^SIP\/2.0 400 Missing Content-Length\r\n/);
    assert.match(rec.data(), /Call-ID: nolen\r\n/);
    assert.equal(server.counters().drops["bad-framing"], before + 1);
  });

  it("counts garbage, closes that connection and keeps serving others", async () => {
    const socket = await open();
    const rec = record(socket);
    const before = server.counters().drops.oversize;
    socket.write(Buffer.alloc(5000, 0xfe));
    await rec.closed;
    assert.equal(rec.data(), "", "garbage is not answerable");
    assert.equal(server.counters().drops.oversize, before + 1);
    assert.ok(log.entries.some((e) => e.msg.startsWith("unframeable")), "logged (rate-limited)");
    const junk = await open();
    const junkRec = record(junk);
    junk.write("\x00\x01\x02 hello\r\n\r\n");
    await junkRec.closed;
    const inbox = new Inbox(server);
    (await open()).write(sipRequest("after-garbage"));
    const [got] = await inbox.wait(1);
    assert.match(text(got!.bytes), /Call-ID: after-garbage/);
  });

  it("refuses an unknown or closed connection id", async () => {
    const socket = await open();
    const inbox = new Inbox(server);
    socket.write(sipRequest("soon-closed"));
    const [got] = await inbox.wait(1);
    socket.destroy();
    await until(() => !server.send(Buffer.from("x"), got!.source), "connection forgotten");
    const before = server.counters().drops.unroutable;
    assert.equal(server.send(Buffer.from("x"), { ...got!.source, connectionId: "tcp-nope-1" }), false);
    assert.equal(server.counters().drops.unroutable, before + 1);
  });
});

describe("TcpTransport limits", () => {
  it("refuses connections over maxConnectionsPerIp", async () => {
    const server = new TcpTransport({ address: LOCALHOST, port: 0, maxConnectionsPerIp: 2 });
    const { port } = await server.listen();
    const s1 = await dial(port);
    const s2 = await dial(port);
    await until(() => server.counters().connections_open === 2, "two connections open");
    const s3 = await dial(port);
    const rec3 = record(s3);
    await rec3.closed;
    assert.equal(server.counters().drops["connection-limit"], 1);
    assert.equal(server.counters().connections_open, 2);
    s1.destroy();
    await until(() => server.counters().connections_open === 1, "a slot freed");
    const s4 = await dial(port);
    await until(() => server.counters().connections_open === 2, "accepted again");
    for (const s of [s2, s4]) s.destroy();
    await server.close();
  });

  it("closes idle connections; keep-alives count as traffic", async () => {
    const server = new TcpTransport({ address: LOCALHOST, port: 0, idleTimeoutMs: 200 });
    const { port } = await server.listen();
    const idle = record(await dial(port));
    const busySocket = await dial(port);
    const busy = record(busySocket);
    let busyClosed = false;
    void busy.closed.then(() => (busyClosed = true));
    const pinger = setInterval(() => busySocket.write("\r\n\r\n"), 40);
    await idle.closed;
    assert.equal(busyClosed, false, "a connection sending keep-alives stays open");
    assert.ok(server.counters().connections_idle_closed >= 1);
    clearInterval(pinger);
    await busy.closed;
    assert.equal(server.counters().connections_idle_closed, 2);
    assert.equal(server.counters().connections_open, 0);
    await server.close();
  });

  it("drops a message over maxMessageSize with 513 and closes", async () => {
    const server = new TcpTransport({ address: LOCALHOST, port: 0, maxMessageSize: 600 });
    const { port } = await server.listen();
    const socket = await dial(port);
    const rec = record(socket);
    socket.write(sipRequest("big", "b".repeat(400)));
    await rec.closed;
    assert.match(rec.data(), /^SIP\/2.0 513 Message Too Large\r\n/);
    assert.equal(server.counters().drops.oversize, 1);
    await server.close();
  });
});

describe("TcpTransport client side", () => {
  it("connects when there is no connection, then reuses it both ways", async () => {
    const a = new TcpTransport({ address: LOCALHOST, port: 0 });
    const b = new TcpTransport({ address: LOCALHOST, port: 0 });
    await a.listen();
    const boundB = await b.listen();
    const inboxA = new Inbox(a);
    const inboxB = new Inbox(b);
    const dest = { transport: "tcp" as const, address: LOCALHOST, port: boundB.port };
    assert.equal(a.send(Buffer.from(sipRequest("out-1")), dest), true);
    const [req] = await inboxB.wait(1);
    // The answer goes back over the connection A opened (RFC 3261 §18.2.2).
    assert.ok(b.send(Buffer.from(sipRequest("back-1")), req!.source));
    const [back] = await inboxA.wait(1);
    assert.equal(back!.source.port, boundB.port);
    assert.ok(a.send(Buffer.from(sipRequest("out-2")), dest));
    await inboxB.wait(2);
    assert.equal(b.counters().connections_open, 1, "one connection reused");
    assert.equal(a.counters().connections_open, 1);
    assert.equal(inboxB.messages[1]!.source.connectionId, req!.source.connectionId);
    await a.close();
    await b.close();
  });

  it("counts a refused outbound connection", async () => {
    const probe = new TcpTransport({ address: LOCALHOST, port: 0 });
    const { port } = await probe.listen();
    await probe.close();
    const a = new TcpTransport({ address: LOCALHOST, port: 0 });
    assert.equal(a.send(Buffer.from(sipRequest("nobody")), { transport: "tcp", address: LOCALHOST, port }), true);
    await until(() => a.counters().drops["connect-failed"] === 1, "connect failure counted");
    await until(() => a.counters().connections_open === 0, "failed connection forgotten");
    await a.close();
  });
});
