/**
 * The identity of a message, parsed once: what the transaction and dialog layers key on
 * (RFC 3261 §17.1.3, §17.2.3, §12). Only call this on messages that passed sanity.
 */
import { getHeader, getHeaderValues } from "./headers.js";
import type { SipMessage } from "./message.js";
import { parseCSeq, type CSeq } from "./parse-cseq.js";
import { unquote } from "./parse-params.js";
import { parseNameAddr } from "./parse-name-addr.js";
import { parseVia, type Via } from "./parse-via.js";

export interface MessageSummary {
  callId: string;
  cseq: CSeq;
  fromTag: string | null;
  toTag: string | null;
  topVia: Via;
  viaCount: number;
}

export function summarize(msg: SipMessage): MessageSummary | null {
  const callId = getHeader(msg, "call-id");
  const cseqText = getHeader(msg, "cseq");
  const from = getHeader(msg, "from");
  const to = getHeader(msg, "to");
  const vias = getHeaderValues(msg, "via");
  if (callId === undefined || cseqText === undefined || from === undefined || to === undefined || vias.length === 0) return null;
  const cseq = parseCSeq(cseqText);
  const f = parseNameAddr(from);
  const t = parseNameAddr(to);
  const v = parseVia(vias[0]!);
  if (cseq === null || !f.ok || !t.ok || !v.ok) return null;
  return {
    callId,
    cseq,
    fromTag: unquote(f.value.params.get("tag")),
    toTag: unquote(t.value.params.get("tag")),
    topVia: v.value,
    viaCount: vias.length,
  };
}
