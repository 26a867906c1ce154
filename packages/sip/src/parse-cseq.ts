/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16); the number is below 2^31 (§8.1.1.5). */
export interface CSeq {
  seq: number;
  method: string;
}

const CSEQ = /^(\d{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)$/;

export function parseCSeq(value: string): CSeq | null {
  const m = CSEQ.exec(value);
  if (m === null) return null;
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return null;
  return { seq, method: m[2]! };
}
