import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getHeaderFields, headerField } from "./headers.js";
import type { HeaderField } from "./message.js";
import { parseVia, type Via } from "./parse-via.js";
import { addReceivedRport, responseDestination, responseFallback, type FlowEndpoint } from "./response-route.js";

function via(text: string): Via {
  const r = parseVia(text);
  assert.ok(r.ok, text);
  return r.value;
}

const udp: FlowEndpoint = { transport: "udp", address: "203.0.113.7", port: 40001 };

describe("responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)", () => {
  it("sends back over the connection of a reliable transport", () => {
    const src: FlowEndpoint = { transport: "tcp", address: "203.0.113.7", port: 51000, connectionId: "tcp-4" };
    assert.deepEqual(responseDestination(via("SIP/2.0/TCP 10.0.0.2:5060;branch=z9hG4bK1"), src), src);
    const ws: FlowEndpoint = { transport: "wss", address: "198.51.100.1", port: 443, connectionId: "wss-1" };
    assert.deepEqual(responseDestination(via("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1"), ws), ws);
  });

  it("uses maddr with the sent-by port, or 5060", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.2:5070;maddr=224.0.1.75;branch=z9hG4bK1"), udp), { transport: "udp", address: "224.0.1.75", port: 5070 });
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.2;maddr=[2001:db8::1];branch=z9hG4bK1"), udp), { transport: "udp", address: "2001:db8::1", port: 5060 });
  });

  it("sends to the source IP and source port when rport was asked for", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bK1"), udp), { transport: "udp", address: "203.0.113.7", port: 40001 });
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.2:5062;rport=40001;received=203.0.113.7;branch=z9hG4bK1"), udp), { transport: "udp", address: "203.0.113.7", port: 40001 });
  });

  it("sends to the source IP and the sent-by port (or 5060) without rport", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1"), udp), { transport: "udp", address: "203.0.113.7", port: 5062 });
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1"), udp), { transport: "udp", address: "203.0.113.7", port: 5060 });
  });
});

describe("responseFallback", () => {
  it("reconnects to the source IP and sent-by port, default 5060/5061", () => {
    const tcp = { transport: "tcp" as const, address: "203.0.113.7", port: 51000 };
    assert.deepEqual(responseFallback(via("SIP/2.0/TCP a.example.com:5080;branch=z9hG4bK1"), tcp), { ...tcp, port: 5080 });
    assert.deepEqual(responseFallback(via("SIP/2.0/TCP a.example.com;branch=z9hG4bK1"), tcp), { ...tcp, port: 5060 });
    assert.deepEqual(responseFallback(via("SIP/2.0/TLS a.example.com;branch=z9hG4bK1"), { ...tcp, transport: "tls" }), { ...tcp, transport: "tls", port: 5061 });
  });

  it("has none for UDP and WebSocket", () => {
    assert.equal(responseFallback(via("SIP/2.0/UDP a;branch=z9hG4bK1"), udp), null);
    assert.equal(responseFallback(via("SIP/2.0/WS a.invalid;branch=z9hG4bK1"), { transport: "ws", address: "1.2.3.4", port: 1 }), null);
  });
});

describe("addReceivedRport (RFC 3261 §18.2.1, RFC 3581 §4)", () => {
  const msg = (...vias: string[]): { headers: HeaderField[] } => ({
    headers: [headerField("Via", vias.join(", ")), headerField("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp"), headerField("From", "<sip:a@b>;tag=1")],
  });

  it("adds received when sent-by is another IP", () => {
    const m = msg("SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1");
    assert.equal(addReceivedRport(m, udp), true);
    assert.equal(getHeaderFields(m, "via")[0], "SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1;received=203.0.113.7");
  });

  it("adds received when sent-by is a domain name", () => {
    const m = msg("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1");
    assert.ok(addReceivedRport(m, udp));
    assert.equal(getHeaderFields(m, "via")[0], "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=203.0.113.7");
  });

  it("leaves the Via alone when sent-by is the source IP and no rport", () => {
    const m = msg("SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1");
    assert.equal(addReceivedRport(m, udp), false);
    assert.equal(getHeaderFields(m, "via")[0], "SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1");
  });

  it("fills an empty rport in place and adds received even when the IP matches", () => {
    const m = msg("SIP/2.0/UDP 203.0.113.7:5060;rport;branch=z9hG4bK1");
    assert.ok(addReceivedRport(m, udp));
    assert.equal(getHeaderFields(m, "via")[0], "SIP/2.0/UDP 203.0.113.7:5060;rport=40001;branch=z9hG4bK1;received=203.0.113.7");
  });

  it("touches only the first value of a comma-joined Via field", () => {
    const m = msg("SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1", "SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK2");
    assert.ok(addReceivedRport(m, udp));
    assert.equal(getHeaderFields(m, "via")[0], "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1;received=203.0.113.7, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK2");
    assert.equal(getHeaderFields(m, "via")[1], "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp");
  });

  it("compares IPv6 sent-by without brackets", () => {
    const m = msg("SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK1");
    assert.equal(addReceivedRport(m, { transport: "udp", address: "2001:db8::9", port: 5060 }), false);
    assert.ok(addReceivedRport(m, { transport: "udp", address: "2001:db8::a", port: 5060 }));
    assert.match(getHeaderFields(m, "via")[0]!, /;received=2001:db8::a$/);
  });

  it("does nothing without a parseable Via", () => {
    assert.equal(addReceivedRport({ headers: [] }, udp), false);
    const bad = { headers: [headerField("Via", "garbage")] };
    assert.equal(addReceivedRport(bad, udp), false);
    assert.equal(bad.headers[0]!.value, "garbage");
  });
});
