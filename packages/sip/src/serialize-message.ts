/**
 * Serializes a message to wire bytes. Content-Length is always rewritten to the body's
 * real length (RFC 3261 §20.14), in place if present, else appended.
 */
import type { SipMessage } from "./message.js";
import { encodeUtf8 } from "./text.js";

export function startLine(msg: SipMessage): string {
  return msg.kind === "request" ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
}

/** The header section including the empty line, as a string. */
export function serializeHead(msg: SipMessage): string {
  let out = startLine(msg) + "\r\n";
  let sawLength = false;
  const hs = msg.headers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (h.key === "content-length") {
      if (sawLength) continue;
      sawLength = true;
      out += `Content-Length: ${msg.body.length}\r\n`;
    } else {
      out += `${h.name}: ${h.value}\r\n`;
    }
  }
  if (!sawLength) out += `Content-Length: ${msg.body.length}\r\n`;
  return out + "\r\n";
}

export function serializeMessage(msg: SipMessage): Uint8Array {
  const head = serializeHead(msg);
  if (msg.body.length === 0) return encodeUtf8(head);
  const headBytes = encodeUtf8(head);
  const buf = new Uint8Array(headBytes.length + msg.body.length);
  buf.set(headBytes, 0);
  buf.set(msg.body, headBytes.length);
  return buf;
}
