/**
 * The SIP message model (RFC 3261 §7).
 *
 * Header fields are kept in arrival order as raw text; structured views (Via, CSeq,
 * name-addr, …) are parsed on demand by the `parse-*.ts` functions. This keeps parsing
 * cheap for messages a B2BUA only forwards and keeps serialization exact for headers it
 * never touched.
 */

/** One header field line as received (after unfolding), with its canonical name. */
export interface HeaderField {
  /** Canonical long form, e.g. "Via", "Call-ID", "WWW-Authenticate" (compact forms expanded). */
  name: string;
  /** Lower-case long form, used for lookups. */
  key: string;
  /** The field value, leading/trailing whitespace trimmed, line folding replaced by one SP. */
  value: string;
}

interface SipMessageBase {
  /** Always "SIP/2.0" for a message that passed validation; kept for 505 handling. */
  version: string;
  headers: HeaderField[];
  /** Body bytes (length from Content-Length on streams, the rest of the datagram on UDP). */
  body: Uint8Array;
}

export interface SipRequest extends SipMessageBase {
  kind: "request";
  method: string;
  /** Request-URI exactly as received. */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: "response";
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;
