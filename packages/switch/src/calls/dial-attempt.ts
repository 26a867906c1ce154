/**
 * Rings a plan of stages on behalf of a call: each stage rings its targets at once
 * (forking, ring group "simultaneous") for at most its timeout; the first 2xx wins and
 * every other leg is CANCELled (RFC 3261 §16.7 behaviour, done by a B2BUA); when a stage
 * has no legs left or times out, the next stage starts (sequential ring groups,
 * follow-me, trunk failover). The owner hears progress, the answer, or the best failure.
 */
import type { SipResponse } from "@hotline/sip";
import type { OutboundLeg, OutboundLegOwner, OutboundTarget } from "./outbound-leg.js";
import type { CancelTimer, Scheduler } from "./ports.js";

export interface DialStage {
  /** Resolved when the stage starts (registrations change while a call waits). */
  targets: () => Promise<OutboundTarget[]> | OutboundTarget[];
  timeoutMs: number;
  /** For trunk failover: go on to the next stage only on these failures. */
  continueOn?: (status: number) => boolean;
  label: string;
}

export interface DialOwner {
  /** Creates and starts a leg for `target` (media endpoint, offer, INVITE). */
  startLeg(target: OutboundTarget, attempt: DialAttempt): Promise<OutboundLeg | null>;
  onProgress(leg: OutboundLeg, response: SipResponse): void;
  onAnswer(leg: OutboundLeg, response: SipResponse): void;
  /** No stage answered. `status` is the best final status (§16.7 rules), `busy` if any said busy. */
  onExhausted(status: number, busy: boolean, timedOut: boolean): void;
}

export class DialAttempt implements OutboundLegOwner {
  readonly legs = new Set<OutboundLeg>();
  private stageIndex = -1;
  private timer: CancelTimer | null = null;
  private best: number | null = null;
  private sawBusy = false;
  private timedOut = false;
  private done = false;
  private starting = false;
  /** Why the attempt stopped (for a leg whose setup finishes after that: abort, or an answer elsewhere). */
  private stopCause = { cause: 26, text: "Answered elsewhere" };

  constructor(
    private readonly stages: readonly DialStage[],
    private readonly owner: DialOwner,
    private readonly scheduler: Scheduler,
  ) {}

  get finished(): boolean {
    return this.done;
  }

  start(): void {
    void this.nextStage();
  }

  /** Stops ringing: every pending leg is CANCELled with `cause` (RFC 3326). */
  abort(cause = 16, text = "Normal call clearing"): void {
    if (this.done) return;
    this.done = true;
    this.stopCause = { cause, text };
    this.stopTimer();
    for (const leg of this.legs) leg.cancel(cause, text);
    this.legs.clear();
  }

  onProgress(leg: OutboundLeg, response: SipResponse): void {
    if (!this.done) this.owner.onProgress(leg, response);
  }

  onAnswer(leg: OutboundLeg, response: SipResponse): void {
    if (this.done) {
      leg.bye(26, "Answered elsewhere");
      return;
    }
    this.done = true;
    this.stopTimer();
    this.legs.delete(leg);
    for (const other of this.legs) other.cancel(26, "Answered elsewhere");
    this.legs.clear();
    this.owner.onAnswer(leg, response);
  }

  onFailure(leg: OutboundLeg, status: number): void {
    this.legs.delete(leg);
    this.note(status);
    if (this.done) return;
    // RFC 3261 §16.7 step 5: a 6xx ends the search: no other branch may answer.
    if (status >= 600) {
      this.stopTimer();
      for (const other of this.legs) other.cancel(21, "Call rejected");
      this.legs.clear();
      this.finish();
      return;
    }
    if (this.legs.size === 0 && !this.starting) {
      const stage = this.stages[this.stageIndex];
      if (stage?.continueOn !== undefined && !stage.continueOn(status)) return this.finish();
      void this.nextStage();
    }
  }

  private note(status: number): void {
    if (status === 486 || status === 600) this.sawBusy = true;
    // §16.7 step 6: prefer 6xx, then the lowest class, 408 last among equals.
    if (this.best === null || rank(status) < rank(this.best)) this.best = status;
  }

  private async nextStage(): Promise<void> {
    this.stopTimer();
    for (;;) {
      this.stageIndex++;
      const stage = this.stages[this.stageIndex];
      if (stage === undefined || this.done) return this.finish();
      this.starting = true;
      const targets = await stage.targets();
      for (const t of targets) {
        if (this.done) break;
        const leg = await this.owner.startLeg(t, this);
        if (leg === null || leg.ended) continue;
        // Aborted or answered elsewhere while this leg was being set up (media allocated, INVITE
        // sent): nobody would ever cancel it, so it must not ring on.
        if (this.done) leg.cancel(this.stopCause.cause, this.stopCause.text);
        else this.legs.add(leg);
      }
      this.starting = false;
      if (this.done) return;
      if (this.legs.size > 0) {
        this.timer = this.scheduler.after(stage.timeoutMs, () => {
          this.timer = null;
          this.timedOut = true;
          for (const leg of this.legs) leg.cancel(19, "No answer");
          this.legs.clear();
          this.note(480);
          void this.nextStage();
        });
        return;
      }
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    this.owner.onExhausted(this.best ?? 480, this.sawBusy, this.timedOut);
  }

  private stopTimer(): void {
    this.timer?.();
    this.timer = null;
  }
}

function rank(status: number): number {
  if (status >= 600) return 0;
  if (status === 486) return 1; // busy is more useful to the caller than "not found"
  if (status === 408 || status === 480) return 800 + status;
  return status;
}
