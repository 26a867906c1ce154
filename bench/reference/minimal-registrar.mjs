// A deliberately minimal Node.js registrar, used by bench/register as the floor of what Node
// itself does on this harness: one UDP socket, regular expressions instead of a parser, MD5
// digest with qop=auth against HA1s held in a Map, one-time nonces in a Set, bindings in a Map.
// No sanity checks, no transactions, no persistence, no keep-alives, no limits. Not product
// code: it answers exactly what the register-digest SIPp scenario sends.
// Usage: node minimal-registrar.mjs <port> <users.csv: user,password> <realm>
import { createSocket } from "node:dgram";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import process from "node:process";

const [port, csv, realm] = process.argv.slice(2);
const md5 = (s) => createHash("md5").update(s).digest("hex");
const ha1 = new Map();
for (const line of readFileSync(csv, "utf8").split("\n")) {
  const [user, password] = line.split(",");
  if (user && password) ha1.set(user, md5(`${user}:${realm}:${password}`));
}
const nonces = new Set();
const bindings = new Map();
const socket = createSocket({ type: "udp4", recvBufferSize: 256 * 1024 });

function header(head, name) {
  const m = new RegExp(`\\r\\n${name}:\\s*([^\\r]*)`, "i").exec(head);
  return m === null ? "" : m[1];
}

function reply(head, status, reason, extra, rinfo) {
  const to = header(head, "To");
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    `Via: ${header(head, "Via")};received=${rinfo.address}`,
    `From: ${header(head, "From")}`,
    `To: ${to.includes("tag=") ? to : `${to};tag=${randomBytes(4).toString("hex")}`}`,
    `Call-ID: ${header(head, "Call-ID")}`,
    `CSeq: ${header(head, "CSeq")}`,
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ];
  socket.send(lines.join("\r\n"), rinfo.port, rinfo.address);
}

socket.on("message", (msg, rinfo) => {
  const head = msg.toString("latin1").split("\r\n\r\n")[0];
  const method = head.slice(0, head.indexOf(" "));
  if (method === "OPTIONS") return reply(head, 200, "OK", [], rinfo);
  if (method !== "REGISTER") return reply(head, 405, "Method Not Allowed", ["Allow: REGISTER, OPTIONS"], rinfo);
  const auth = header(head, "Authorization");
  const p = Object.fromEntries([...auth.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
  const stored = ha1.get(p.username);
  if (auth !== "" && stored !== undefined && nonces.delete(p.nonce)) {
    const expected = md5(`${stored}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${md5(`REGISTER:${p.uri}`)}`);
    if (expected === p.response) {
      const contact = /<([^>]+)>/.exec(header(head, "Contact"))?.[1] ?? "";
      bindings.set(p.username, { contact, expiresAt: Date.now() + 3600_000 });
      return reply(head, 200, "OK", [`Contact: <${contact}>;expires=3600`], rinfo);
    }
  }
  const nonce = randomBytes(16).toString("hex");
  nonces.add(nonce);
  reply(head, 401, "Unauthorized", [`WWW-Authenticate: Digest realm="${realm}", nonce="${nonce}", algorithm=MD5, qop="auth"`], rinfo);
});

socket.bind(Number(port), "127.0.0.1");
