/** The media engine's contract (the API between the media and call-control engineers). */
export type { Direction, G711, EndpointConfig, EndpointStats, MediaEvent, MixOptions, PlaySource, RemoteAddress } from "@hotline/media";

export const TONE_PLAN_IDS = ["cn", "us", "eu"] as const;
export type TonePlanName = (typeof TONE_PLAN_IDS)[number];

export interface MediaEngineOptions {
  /** Address the RTP/RTCP sockets bind to and that goes into our SDP, e.g. "127.0.0.1". */
  bindAddress: string;
  /** Even RTP ports, RTCP = RTP + 1 (RFC 3550 §11): portMin even, portMax odd. */
  portMin: number;
  portMax: number;
  /** 0 = relay on the calling thread; N = N worker threads, a call's endpoints live in one worker. */
  workers: number;
  /** Call-progress tones; default "cn" (450 Hz). */
  tonePlan?: TonePlanName;
  /** 8 kHz mono WAV (A-law, µ-law or 16-bit PCM); null/absent = built-in generated music. */
  mohFile?: string | null;
  /** Default 5000 (RFC 3550 §6.2; a fixed interval is fine for 2 parties). */
  rtcpIntervalMs?: number;
  /** No RTP received for this long on a bridged endpoint → "timeout" event; default 60000; 0 = off. */
  mediaTimeoutMs?: number;
  /** A released port pair is not reused for this long (PortPool quarantine); default 30000. */
  portReuseMs?: number;
}

export interface EndpointDescription {
  id: string;
  address: string;
  rtpPort: number;
  rtcpPort: number;
}
