/**
 * The relay's allocation-free reading of an RTP header (RFC 3550 §5.1). `parseRtp` in
 * rtp-packet.ts returns a fresh object per packet (and arrays for CSRCs); the relay reads
 * tens of thousands of packets a second, so it fills one reusable view instead. Same checks
 * as parseRtp (version 2, CSRCs, extension and padding within the packet, A.1).
 */
import { readU16, readU32 } from "../network-order.js";

export class RtpView {
  marker = false;
  payloadType = 0;
  sequence = 0;
  timestamp = 0;
  ssrc = 0;
  payloadOffset = 0;
  /** First byte after the payload (padding excluded). */
  payloadEnd = 0;

  /** Reads `packet`; false when it is not acceptable RTP (the fields are then meaningless). */
  scan(packet: Uint8Array): boolean {
    const length = packet.length;
    if (length < 12) return false;
    const b0 = packet[0]!;
    if (b0 >>> 6 !== 2) return false;
    let offset = 12 + 4 * (b0 & 0x0f);
    if (offset > length) return false;
    if ((b0 & 0x10) !== 0) {
      // §5.3.1 header extension: 16 profile bits, 16 bits of length in words, the words.
      if (offset + 4 > length) return false;
      offset += 4 + 4 * readU16(packet, offset + 2);
      if (offset > length) return false;
    }
    let end = length;
    if ((b0 & 0x20) !== 0) {
      // A.1: the padding count includes itself, so 0 is invalid; it cannot eat the header.
      const pad = packet[length - 1]!;
      if (pad === 0 || pad > length - offset) return false;
      end -= pad;
    }
    const b1 = packet[1]!;
    this.marker = (b1 & 0x80) !== 0;
    this.payloadType = b1 & 0x7f;
    this.sequence = readU16(packet, 2);
    this.timestamp = readU32(packet, 4);
    this.ssrc = readU32(packet, 8);
    this.payloadOffset = offset;
    this.payloadEnd = end;
    return true;
  }

  get payloadLength(): number {
    return this.payloadEnd - this.payloadOffset;
  }
}
