/**
 * o= bookkeeping for one side of one session (RFC 3264 §8): the session id stays, and the
 * version goes up by one exactly when the description changes, so a peer can tell a real
 * modification from a repeat (e.g. a session-timer refresh re-INVITE, RFC 4028).
 */
import { serializeSdp } from "./serialize-sdp.js";
import { addrTypeOf } from "./sdp-build.js";
import type { SdpOrigin, SessionDescription } from "./sdp-model.js";

export class SdpOriginState {
  #version = 0;
  #issued = false;
  #lastBody: string | null = null;

  constructor(
    readonly username: string,
    readonly sessionId: string,
    readonly address: string,
  ) {}

  /** The version the last next()/stamp() gave out; 0 before the first. */
  get version(): number {
    return this.#version;
  }

  /**
   * The o= for the next description this side sends. The first call gives version 1;
   * later calls add one only if `changed` (RFC 3264 §8: "incremented by one" when the
   * description differs, unchanged when it is the same).
   */
  next(changed: boolean): SdpOrigin {
    if (!this.#issued) {
      this.#issued = true;
      this.#version = 1;
    } else if (changed) this.#version += 1;
    return { username: this.username, sessionId: this.sessionId, sessionVersion: String(this.#version), netType: "IN", addrType: addrTypeOf(this.address), address: this.address };
  }

  /**
   * `sdp` with this side's o= line, deciding "changed" itself: the description changed if
   * anything but the o= line differs from the last one stamped.
   */
  stamp(sdp: SessionDescription): SessionDescription {
    const body = serializeSdp({ ...sdp, origin: { username: "", sessionId: "", sessionVersion: "", netType: "", addrType: "", address: "" } });
    const changed = this.#lastBody !== null && body !== this.#lastBody;
    this.#lastBody = body;
    return { ...sdp, origin: this.next(changed) };
  }
}
