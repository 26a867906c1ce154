/**
 * Reception statistics per source, as RFC 3550 Appendix A computes them:
 *   A.1  sequence number tracking: probation, 16-bit wrap (cycles), big jumps and re-sync;
 *   A.3  expected, cumulative lost and fraction lost for the RR report block;
 *   A.8  interarrival jitter in timestamp units;
 * plus LSR/DLSR (§6.4.1) from the sender reports of that source.
 *
 * Sans-IO: arrival times come in as arguments (milliseconds, fractions welcome); nothing
 * here reads a clock. The only departure from the appendix's C: the probation test
 * `seq == max_seq + 1` is taken modulo 2^16, so a stream whose first packets straddle
 * 65535 → 0 is not held on probation an extra packet (the C promotes to int and misses it).
 */
import type { ReportBlock } from "./rtcp.js";
import { ntpMiddle32 } from "./ntp-time.js";

/** A.1 parameters. */
export const RTP_SEQ_MOD = 1 << 16;
export const MAX_DROPOUT = 3000;
export const MAX_MISORDER = 100;
export const MIN_SEQUENTIAL = 2;

export interface ReceiverStatsOptions {
  /** RTP clock rate of the stream (8000 for G.711), to turn arrival ms into timestamp units. */
  clockRate: number;
  /** A.1 MIN_SEQUENTIAL: in-order packets before a new source is valid. Default 2. */
  minSequential?: number;
  maxDropout?: number;
  maxMisorder?: number;
}

/** One source (SSRC). Feed every RTP packet of it to `receive`. */
export class SourceStatistics {
  // A.1 state, named as in the appendix's `source` struct.
  private started = false;
  private maxSeq = 0;
  private cycles = 0; // shifted count of 2^16 cycles
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation = 0;
  private receivedCount = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  // A.8 state: the previous packet in arrival order.
  private hasTransit = false;
  private lastArrival = 0; // timestamp units
  private lastTimestamp = 0;
  private jitterEstimate = 0;
  // §6.4.1 LSR bookkeeping.
  private lsr = 0;
  private lsrArrivalMs = 0;
  /** Any packet since the last `reportBlock` (§6.4: report only sources heard since). */
  heardSinceReport = false;
  /** Arrival time of the last packet, for the caller's source timeout (§6.3.5). */
  lastArrivalMs = 0;

  private readonly unitsPerMs: number;
  private readonly minSequential: number;
  private readonly maxDropout: number;
  private readonly maxMisorder: number;

  constructor(
    readonly ssrc: number,
    options: ReceiverStatsOptions,
  ) {
    this.unitsPerMs = options.clockRate / 1000;
    this.minSequential = options.minSequential ?? MIN_SEQUENTIAL;
    this.maxDropout = options.maxDropout ?? MAX_DROPOUT;
    this.maxMisorder = options.maxMisorder ?? MAX_MISORDER;
  }

  /**
   * Accounts one RTP packet. Returns A.1's verdict: true when the packet counts (source
   * valid, not part of a very large jump awaiting confirmation). Pass `measureJitter`
   * false for packets whose timestamp is not their sampling instant, e.g. RFC 4733
   * events, which keep the event's start timestamp.
   */
  receive(sequence: number, timestamp: number, arrivalMs: number, measureJitter = true): boolean {
    this.heardSinceReport = true;
    this.lastArrivalMs = arrivalMs;
    if (!this.started) {
      // A.1: a new source starts on probation, as if max_seq were the packet before.
      this.started = true;
      this.initSeq(sequence);
      this.maxSeq = (sequence - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    if (!this.updateSeq(sequence)) return false;
    if (measureJitter) this.updateJitter(timestamp, arrivalMs * this.unitsPerMs);
    return true;
  }

  /** Records an SR from this source arriving at `arrivalMs`: its NTP time becomes LSR. */
  senderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lsr = ntpMiddle32(ntpSeconds, ntpFraction);
    this.lsrArrivalMs = arrivalMs;
  }

  /** Past probation (A.1). */
  get valid(): boolean {
    return this.started && this.probation === 0;
  }

  /** Packets counted, duplicates included (so loss can go negative, §6.4.1). */
  get received(): number {
    return this.receivedCount;
  }

  /** A.3 extended_max, not reduced modulo 2^32. */
  get extendedHighestSequence(): number {
    return this.cycles + this.maxSeq;
  }

  /** A.3: extended_max − base_seq + 1. */
  get expected(): number {
    return this.extendedHighestSequence - this.baseSeq + 1;
  }

  /** A.3: expected − received, unclamped (the report block clamps to 24 bits). */
  get cumulativeLost(): number {
    return this.expected - this.receivedCount;
  }

  /** A.8 estimate, timestamp units. */
  get jitter(): number {
    return this.jitterEstimate;
  }

  /**
   * The report block for an SR/RR sent at `now` (ms). Closes the A.3 interval: the
   * fraction lost counts from the previous call.
   */
  reportBlock(now: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.receivedCount - this.receivedPrior;
    this.receivedPrior = this.receivedCount;
    const lostInterval = expectedInterval - receivedInterval;
    this.heardSinceReport = false;
    return {
      ssrc: this.ssrc,
      fractionLost: expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval)),
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, expected - this.receivedCount)),
      extendedHighestSequence: this.extendedHighestSequence >>> 0,
      jitter: Math.floor(this.jitterEstimate) >>> 0,
      lsr: this.lsr,
      // §6.4.1 DLSR: 1/65536 s units since that SR arrived; 0 when there was none.
      dlsr: this.lsr === 0 ? 0 : Math.min(0xffffffff, Math.max(0, Math.floor(((now - this.lsrArrivalMs) * 65536) / 1000))),
    };
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1; // so seq == bad_seq is false
    this.cycles = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    this.hasTransit = false;
  }

  /** A.1 update_seq, line for line. */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        // packet is in sequence
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.receivedCount++;
          return true;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return false;
    } else if (udelta < this.maxDropout) {
      // in order, with permissible gap
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // sequence number wrapped
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - this.maxMisorder) {
      // the sequence number made a very large jump
      if (seq === this.badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    } // else: duplicate or reordered packet
    this.receivedCount++;
    return true;
  }

  /** A.8: D(i−1, i) = (R_i − R_{i−1}) − (S_i − S_{i−1}); J += (|D| − J) / 16. */
  private updateJitter(timestamp: number, arrival: number): void {
    if (this.hasTransit) {
      const d = arrival - this.lastArrival - ((timestamp - this.lastTimestamp) | 0); // S wraps mod 2^32
      this.jitterEstimate += (Math.abs(d) - this.jitterEstimate) / 16;
    }
    this.hasTransit = true;
    this.lastArrival = arrival;
    this.lastTimestamp = timestamp;
  }
}

/** The reception side of an RTP session: a SourceStatistics per SSRC heard. */
export class ReceptionStatistics {
  private readonly table = new Map<number, SourceStatistics>();
  // One leg usually has one source: skip the Map lookup while it stays the same.
  private last: SourceStatistics | undefined;

  constructor(private readonly options: ReceiverStatsOptions) {}

  /** Accounts one RTP packet of `ssrc` (A.1 verdict as SourceStatistics.receive). */
  receive(ssrc: number, sequence: number, timestamp: number, arrivalMs: number, measureJitter = true): boolean {
    const s = this.last !== undefined && this.last.ssrc === ssrc ? this.last : this.entry(ssrc);
    this.last = s;
    return s.receive(sequence, timestamp, arrivalMs, measureJitter);
  }

  /** An SR arrived from `ssrc`: remember its NTP time for LSR/DLSR. */
  senderReport(ssrc: number, ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.entry(ssrc).senderReport(ntpSeconds, ntpFraction, arrivalMs);
  }

  /**
   * Report blocks for valid sources heard since the previous call (§6.4). Past 31 the
   * caller stacks further RR packets after the SR/RR (§6.4.2); a telephony leg has one.
   */
  reportBlocks(now: number): ReportBlock[] {
    const blocks: ReportBlock[] = [];
    for (const s of this.table.values()) if (s.valid && s.heardSinceReport) blocks.push(s.reportBlock(now));
    return blocks;
  }

  source(ssrc: number): SourceStatistics | undefined {
    return this.table.get(ssrc);
  }

  get size(): number {
    return this.table.size;
  }

  /** Forgets a source (BYE, §6.6, or the caller's inactivity timeout, §6.3.5). */
  remove(ssrc: number): boolean {
    if (this.last?.ssrc === ssrc) this.last = undefined;
    return this.table.delete(ssrc);
  }

  private entry(ssrc: number): SourceStatistics {
    let s = this.table.get(ssrc);
    if (s === undefined) {
      s = new SourceStatistics(ssrc, this.options);
      this.table.set(ssrc, s);
    }
    return s;
  }
}
