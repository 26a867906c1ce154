/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16); the number is below 2^31 (§8.1.1.5). */
import { memoizeLast } from "./memo.js";
export interface CSeq {
  seq: number;
  method: string;
}

const CSEQ = /^(\d{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)$/;

function parseCSeqUncached(value: string): CSeq | null {
  const m = CSEQ.exec(value);
  if (m === null) return null;
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return null;
  return { seq, method: m[2]! };
}

/** Parses (memoized: the same text is parsed once per message; treat the result as read-only). */
export const parseCSeq: (text: string) => CSeq | null = memoizeLast(parseCSeqUncached);
