// SIP over TLS against a real hotline: a throwaway self-signed certificate for 127.0.0.1 is
// made with openssl at test time; baresip 1.0 registers over TLS with digest auth, and a
// plain-TCP client sent to the TLS port gets no SIP answer while hotline keeps serving.
//
// baresip 1.0 has `sip_cafile` (we give it the throwaway certificate) but no
// `sip_verify_server`: its libre (1.1) never sets SSL_VERIFY_PEER on the client side, so it
// registers whatever certificate the server shows. The certificate hotline serves is checked
// here with Node's verifying TLS client instead (trusted CA file, IP SAN 127.0.0.1).
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { startBaresip, stripAnsi } from "./baresip.ts";
import { metricValue, removeDir, runSipp, startHotline, waitFor, type Hotline, type Registration } from "./harness.ts";

const USER = { username: "2001", password: "e2e-secret-2001" };


const pki = { dir: "", cert: "", key: "" };

before(() => {
  pki.dir = mkdtempSync(join(tmpdir(), "hotline-tls-"));
  pki.cert = join(pki.dir, "cert.pem");
  pki.key = join(pki.dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", pki.key, "-out", pki.cert],
    { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 },
  );
});

after(() => removeDir(pki.dir));

/** A hotline listening on UDP (sipPort) and TLS (a port of its own), stopped when the test ends. */
async function tlsHotline(t: TestContext, users = [USER]): Promise<Hotline> {
  const h = await startHotline({ users, transports: ["udp", { transport: "tls", cert: pki.cert, key: pki.key }] });
  t.after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });
  assert.ok(h.ports.tls !== undefined && h.ports.tls !== h.sipPort);
  return h;
}

/**
 * Opens a verifying TLS connection (our certificate as the only CA, identity checked against
 * 127.0.0.1), sends `request` if given and waits for a complete response head, then resolves
 * with whether the peer was authorized, its certificate's fingerprint and the reply.
 */
function tlsExchange(port: number, request?: string): Promise<{ authorized: boolean; fingerprint256: string; reply: string }> {
  return new Promise((res, rej) => {
    const s = connect({ host: "127.0.0.1", port, ca: readFileSync(pki.cert) });
    let reply = "";
    const timer = setTimeout(() => {
      s.destroy();
      rej(new Error(`TLS exchange with 127.0.0.1:${port} timed out; got: ${JSON.stringify(reply)}`));
    }, 5000);
    const finish = (): void => {
      clearTimeout(timer);
      res({ authorized: s.authorized, fingerprint256: s.getPeerCertificate().fingerprint256, reply });
      s.end();
    };
    s.on("error", (err) => {
      clearTimeout(timer);
      rej(err);
    });
    s.on("data", (d: Buffer) => {
      reply += d.toString("utf8");
      if (reply.includes("\r\n\r\n")) finish();
    });
    s.once("secureConnect", () => {
      if (request === undefined) finish();
      else s.write(request);
    });
  });
}

function options(port: number, tag: string): string {
  return [
    `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:9;rport;branch=z9hG4bK-${tag}`,
    "Max-Forwards: 70",
    `From: <sip:probe@127.0.0.1>;tag=${tag}`,
    `To: <sip:127.0.0.1:${port}>`,
    `Call-ID: ${tag}@127.0.0.1`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

describe("SIP over TLS", { concurrency: true }, () => {
  test("baresip registers over TLS with digest auth: TLS binding, TLS packets counted, un-REGISTERs over TLS", { timeout: 60_000 }, async (t) => {
    const h = await tlsHotline(t);
    const tlsPort = h.ports.tls!;

    // The listener serves our throwaway certificate, and it verifies for 127.0.0.1 against
    // the CA file baresip is given.
    const handshake = await tlsExchange(tlsPort);
    assert.equal(handshake.authorized, true);
    assert.equal(handshake.fingerprint256, new X509Certificate(readFileSync(pki.cert)).fingerprint256);

    const b = await startBaresip({ ...USER, registrarPort: tlsPort, transport: "tls", caFile: pki.cert, regint: 60, lifetimeSeconds: 45 });
    t.after(() => b.stop());

    let binding: Registration | undefined;
    await waitFor(
      async () => (binding = (await h.api<{ registrations: Registration[] }>("/api/registrations")).registrations.find((r) => r.userAgent?.includes("baresip") === true)) !== undefined,
      10_000,
      () => `no baresip binding over TLS; baresip says:\n${b.output()}\nhotline says:\n${h.output()}`,
    );
    assert.equal(binding!.aor, "sip:2001@hotline.test");
    assert.equal(binding!.source.transport, "tls");
    assert.equal(binding!.source.address, "127.0.0.1");
    // baresip's Contact names its own TLS listener, which is sip_listen's port + 1.
    assert.match(binding!.contact, new RegExp(`@127\\.0\\.0\\.1:${b.sipPort + 1};transport=tls$`));
    // The flow is baresip's outbound TLS connection (an ephemeral port), not its Contact.
    assert.notEqual(binding!.source.port, b.sipPort + 1);
    assert.match(binding!.source.connectionId ?? "", /^tls-/);

    const m = await h.metrics();
    assert.ok(metricValue(m, "sip_transport_packets_in", { transport: "tls" }) > 0, m);
    assert.ok(metricValue(m, "sip_transport_packets_out", { transport: "tls" }) > 0, m);
    // Everything went over TLS: nothing at all on the UDP listener.
    assert.equal(metricValue(m, "sip_transport_packets_in", { transport: "udp" }), 0);
    // Digest auth: challenged, then accepted.
    assert.ok(metricValue(m, "sip_responses_total", { status: 401 }) >= 1, m);
    assert.ok(metricValue(m, "sip_responses_total", { status: 200 }) >= 1, m);
    assert.equal(metricValue(m, "sip_responses_total", { status: 403 }), 0);

    const info = await b.command("reginfo");
    assert.ok(info.ok);
    assert.match(stripAnsi(info.data ?? ""), /sip:2001@hotline\.test +OK /);

    // Quitting un-REGISTERs over the same TLS flow: the binding goes at once.
    await b.stop(3000);
    await waitFor(async () => (await h.api<{ registrations: Registration[] }>("/api/registrations")).registrations.length === 0, 3000, () => "binding left after baresip quit");
  });

  test("plain TCP to the TLS port gets no SIP answer; hotline keeps serving TLS and UDP", { timeout: 60_000 }, async (t) => {
    const h = await tlsHotline(t, []);
    const tlsPort = h.ports.tls!;

    // SIPp over plain TCP to the TLS port: the handshake fails on the first byte, so no SIP
    // message is ever parsed and nothing SIP comes back.
    const plain = await runSipp({ scenario: "uac-options-expect-200-allow.xml", port: tlsPort, transport: "t1", timeoutSeconds: 5 });
    assert.equal(plain.successful, 0, plain.messages);
    assert.equal(plain.failed, 1, plain.messages);
    assert.notEqual(plain.code, 0, `${plain.stdout}\n${plain.stderr}`);
    assert.doesNotMatch(plain.messages, /^SIP\/2\.0 \d{3}/m, "a SIP status line came back over plain TCP");

    // hotline is still up, and the plaintext never reached the SIP layer.
    assert.equal(h.process.exitCode, null);
    assert.equal(h.process.signalCode, null);
    const status = await fetch(`http://127.0.0.1:${h.httpPort}/api/status`);
    assert.ok(status.ok);
    let m = await h.metrics();
    assert.equal(metricValue(m, "sip_transport_packets_in", { transport: "tls" }), 0, m);
    assert.equal(metricValue(m, "sip_responses_total", { status: 200 }), 0, m);
    // The failed handshake is visible: counted as a TLS drop.
    assert.ok(metricValue(m, "sip_transport_drops", { transport: "tls", reason: "tls-handshake" }) >= 1, m);

    // The TLS listener still serves a real TLS client: OPTIONS answered 200.
    const overTls = await tlsExchange(tlsPort, options(tlsPort, "tlsprobe1"));
    assert.equal(overTls.authorized, true);
    assert.match(overTls.reply, /^SIP\/2\.0 200 /, overTls.reply);

    // And the same OPTIONS scenario over UDP still works.
    const udp = await runSipp({ scenario: "uac-options-expect-200-allow.xml", port: h.sipPort, transport: "u1", timeoutSeconds: 10 });
    assert.equal(udp.code, 0, `${udp.stdout}\n${udp.stderr}\n${udp.messages}`);
    assert.equal(udp.successful, 1, udp.messages);
    m = await h.metrics();
    assert.equal(metricValue(m, "sip_transport_packets_in", { transport: "tls" }), 1, m);
    assert.equal(metricValue(m, "sip_transport_packets_in", { transport: "udp" }), 1, m);
    assert.equal(h.process.exitCode, null);
  });
});
