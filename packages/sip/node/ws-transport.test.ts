import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { WebSocket, type RawData } from "ws";
import { Inbox, LOCALHOST, selfSignedCert, sipRequest, text, until } from "./testing/sockets.js";
import type { BoundAddress } from "./transport.js";
import { WsTransport } from "./ws-transport.js";

/** Frames a client receives, with whether each was binary. */
function frames(ws: WebSocket): Array<{ data: string; binary: boolean }> {
  const got: Array<{ data: string; binary: boolean }> = [];
  ws.on("message", (data: RawData, binary: boolean) => got.push({ data: Buffer.from(data as Buffer).toString("utf8"), binary }));
  return got;
}

async function openClient(url: string, protocols: string[], options: { ca?: Buffer } = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  await once(ws, "open");
  return ws;
}

describe("WsTransport", () => {
  const server = new WsTransport({ address: LOCALHOST, port: 0, maxMessageSize: 2048, maxConnectionsPerIp: 3 });
  let bound: BoundAddress;
  let url: string;

  before(async () => {
    bound = await server.listen();
    url = `ws://${LOCALHOST}:${bound.port}`;
  });
  after(() => server.close());

  it("accepts the sip subprotocol, delivers one SIP message per frame and answers in text frames", async () => {
    const inbox = new Inbox(server);
    const ws = await openClient(url, ["sip"]);
    assert.equal(ws.protocol, "sip", "RFC 7118 §4.1: the server answers with sip");
    const got = frames(ws);
    ws.send(sipRequest("ws-text", "", "WS"));
    ws.send(Buffer.from(sipRequest("ws-binary", "", "WS")), { binary: true });
    const [m1, m2] = await inbox.wait(2);
    assert.match(text(m1!.bytes), /Call-ID: ws-text/);
    assert.match(text(m2!.bytes), /Call-ID: ws-binary/);
    assert.equal(m1!.source.transport, "ws");
    assert.equal(m1!.source.connectionId, m2!.source.connectionId);
    assert.ok(server.send(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), m1!.source));
    await until(() => got.length === 1, "answer frame");
    assert.deepEqual(got[0], { data: "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", binary: false });
    ws.send("\r\n\r\n");
    await until(() => got.length === 2, "pong frame");
    assert.equal(got[1]!.data, "\r\n");
    ws.close();
  });

  it("refuses a handshake without the sip subprotocol", async () => {
    const before = server.counters().drops["no-sip-subprotocol"];
    for (const protocols of [[], ["chat"]]) {
      const ws = new WebSocket(url, protocols);
      ws.on("error", () => undefined);
      const [, res] = (await once(ws, "unexpected-response")) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 400);
      ws.terminate();
    }
    assert.equal(server.counters().drops["no-sip-subprotocol"], before + 2);
  });

  it("closes a connection sending a message over maxMessageSize", async () => {
    const ws = await openClient(url, ["sip"]);
    const closed = once(ws, "close");
    ws.on("error", () => undefined);
    ws.send("x".repeat(3000));
    const [code] = (await closed) as [number];
    assert.equal(code, 1009, "RFC 6455 §7.4.1: message too big");
    await until(() => server.counters().drops.oversize === 1, "oversize counted");
  });

  it("refuses connections over maxConnectionsPerIp with 503", async () => {
    await until(() => server.counters().connections_open === 0, "earlier clients gone");
    const open = await Promise.all([1, 2, 3].map(() => openClient(url, ["sip"])));
    const extra = new WebSocket(url, ["sip"]);
    extra.on("error", () => undefined);
    const [, res] = (await once(extra, "unexpected-response")) as [unknown, { statusCode: number }];
    assert.equal(res.statusCode, 503);
    extra.terminate();
    assert.equal(server.counters().drops["connection-limit"], 1);
    for (const ws of open) ws.close();
  });

  it("answers plain HTTP with 426", async () => {
    const res = await fetch(`http://${LOCALHOST}:${bound.port}/`);
    assert.equal(res.status, 426);
  });
});

describe("WsTransport idle timeout", () => {
  it("closes an idle WebSocket connection", async () => {
    const server = new WsTransport({ address: LOCALHOST, port: 0, idleTimeoutMs: 150 });
    const { port } = await server.listen();
    const ws = await openClient(`ws://${LOCALHOST}:${port}`, ["sip"]);
    const [code] = (await once(ws, "close")) as [number];
    assert.equal(code, 1000);
    assert.equal(server.counters().connections_idle_closed, 1);
    await server.close();
  });
});

describe("WsTransport over TLS (WSS) and as a client", () => {
  let cert: ReturnType<typeof selfSignedCert>;
  before(() => {
    cert = selfSignedCert();
  });
  after(() => cert.cleanup());

  it("serves wss with the sip subprotocol", async () => {
    const server = new WsTransport({ address: LOCALHOST, port: 0, tls: cert });
    assert.equal(server.kind, "wss");
    const { port } = await server.listen();
    const inbox = new Inbox(server);
    const ws = await openClient(`wss://${LOCALHOST}:${port}`, ["sip"], { ca: readFileSync(cert.certPath) });
    ws.send(sipRequest("wss-1", "", "WSS"));
    const [got] = await inbox.wait(1);
    assert.equal(got!.source.transport, "wss");
    ws.close();
    await server.close();
  });

  it("connects out (wss) with the sip subprotocol and queues until open", async () => {
    const server = new WsTransport({ address: LOCALHOST, port: 0, tls: cert });
    const client = new WsTransport({ address: LOCALHOST, port: 0, tls: cert, clientTls: { caPath: cert.certPath } });
    const { port } = await server.listen();
    const serverInbox = new Inbox(server);
    const clientInbox = new Inbox(client);
    const dest = { transport: "wss" as const, address: LOCALHOST, port };
    assert.ok(client.send(Buffer.from(sipRequest("wss-out-1", "", "WSS")), dest));
    assert.ok(client.send(Buffer.from(sipRequest("wss-out-2", "", "WSS")), dest));
    const [m1] = await serverInbox.wait(2);
    assert.ok(server.send(Buffer.from(sipRequest("wss-back", "", "WSS")), m1!.source));
    const [back] = await clientInbox.wait(1);
    assert.match(text(back!.bytes), /Call-ID: wss-back/);
    assert.equal(client.counters().connections_open, 1);
    await client.close();
    await server.close();
  });
});
