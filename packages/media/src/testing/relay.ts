// Test helpers for the RTP relay: a recording RelayOutput, packet builders, scripted randomness.
import { writeRtpHeader } from "../rtp-packet.js";
import type { RelayEndpoint } from "../relay/relay-endpoint.js";
import type { EndpointConfig, MediaEvent, RelayOutput } from "../relay/relay-types.js";

export interface SentPacket {
  /** Endpoint id it was sent towards. */
  to: string;
  address: string;
  port: number;
  /** A copy, taken when it was sent. */
  bytes: Uint8Array;
}

export class RecordingOutput implements RelayOutput {
  readonly rtp: SentPacket[] = [];
  readonly rtcp: SentPacket[] = [];
  readonly events: MediaEvent[] = [];

  sendRtp(to: RelayEndpoint, data: Uint8Array): void {
    this.rtp.push({ to: to.id, address: to.rtpAddress, port: to.rtpPort, bytes: Uint8Array.from(data) });
  }

  sendRtcp(to: RelayEndpoint, data: Uint8Array): void {
    this.rtcp.push({ to: to.id, address: to.rtcpAddress, port: to.rtcpPort, bytes: Uint8Array.from(data) });
  }

  event(event: MediaEvent): void {
    this.events.push(event);
  }

  /** Removes and returns what was recorded so far. */
  takeRtp(): SentPacket[] {
    return this.rtp.splice(0);
  }
}

/** Returns the given values in order (then fails loudly): SSRC, sequence and timestamp per endpoint. */
export function scriptedRandom(values: readonly number[]): () => number {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error(`scriptedRandom: only ${values.length} values scripted`);
    return v;
  };
}

export interface PacketFields {
  pt: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  payload: Uint8Array | readonly number[];
}

/** An RTP packet with a 12-byte header. */
export function rtpPacket(f: PacketFields): Uint8Array {
  const payload = Uint8Array.from(f.payload);
  const out = new Uint8Array(12 + payload.length);
  writeRtpHeader({ marker: f.marker ?? false, payloadType: f.pt, sequence: f.sequence, timestamp: f.timestamp, ssrc: f.ssrc }, out);
  out.set(payload, 12);
  return out;
}

/** The header fields of a sent packet, for compact assertions. */
export function headerOf(bytes: Uint8Array): { marker: boolean; pt: number; sequence: number; timestamp: number; ssrc: number } {
  return {
    marker: (bytes[1]! & 0x80) !== 0,
    pt: bytes[1]! & 0x7f,
    sequence: (bytes[2]! << 8) | bytes[3]!,
    timestamp: ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0,
    ssrc: ((bytes[8]! << 24) | (bytes[9]! << 16) | (bytes[10]! << 8) | bytes[11]!) >>> 0,
  };
}

export function g711Config(codec: "PCMA" | "PCMU", address: string, port: number, extra: Partial<EndpointConfig> = {}): EndpointConfig {
  return { remote: { address, port }, codec, pt: codec === "PCMA" ? 8 : 0, dtmfPt: null, direction: "sendrecv", latch: false, ...extra };
}

/** `n` payload bytes 0, 1, 2, … (mod 256) from `start`. */
export function ramp(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}
