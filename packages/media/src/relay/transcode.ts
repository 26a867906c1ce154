/** The relay's in-place G.711 transcoding (PCMA ⇄ PCMU between bridged peers that differ). */
import { alawCodeToUlaw, ulawCodeToAlaw } from "../g711.js";

/** G.711 tables: equal to decode with one law, encode with the other (g711.ts). */
export const ALAW_TO_ULAW = Uint8Array.from({ length: 256 }, (_, code) => alawCodeToUlaw(code));
export const ULAW_TO_ALAW = Uint8Array.from({ length: 256 }, (_, code) => ulawCodeToAlaw(code));

/**
 * G.711 A-law ⇄ µ-law through a 256-entry table, in place. Unrolled by four: ~25 % faster
 * than the plain loop here (bench/media-micro.ts), the loads no longer waiting on the stores.
 */
export function transcodeInPlace(packet: Uint8Array, table: Uint8Array, start: number, end: number): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const c0 = packet[i]!;
    const c1 = packet[i + 1]!;
    const c2 = packet[i + 2]!;
    const c3 = packet[i + 3]!;
    packet[i] = table[c0]!;
    packet[i + 1] = table[c1]!;
    packet[i + 2] = table[c2]!;
    packet[i + 3] = table[c3]!;
  }
  for (; i < end; i++) packet[i] = table[packet[i]!]!;
}
