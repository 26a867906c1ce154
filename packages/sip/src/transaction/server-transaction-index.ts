/**
 * Finding the server transaction a request belongs to (RFC 3261 §17.2.3), the INVITE a
 * CANCEL targets (§9.2), and whether a new request is a merged copy of one already in
 * progress (§8.2.2.2).
 */
import { getHeader } from "../headers.js";
import type { SipRequest, SipResponse } from "../message.js";
import { unquote } from "../parse-params.js";
import { parseNameAddr } from "../parse-name-addr.js";
import type { MessageSummary } from "../summary.js";
import { isRfc3261Branch } from "./branch.js";
import { matchingMethod, mergeKey, rfc2543Key, serverTransactionKey } from "./transaction-key.js";

export interface IndexedServerTransaction {
  readonly request: SipRequest;
  readonly summary: MessageSummary;
  /** The last response the transaction sent, for RFC 2543 ACK matching. */
  lastResponse(): SipResponse | null;
}

interface Keys {
  primary: string;
  rfc2543: boolean;
  merge: string | null;
}

export class ServerTransactionIndex<T extends IndexedServerTransaction> {
  private readonly byBranch = new Map<string, T>();
  private readonly by2543 = new Map<string, T[]>();
  private readonly mergeCounts = new Map<string, number>();
  private readonly keys = new Map<T, Keys>();

  get size(): number {
    return this.keys.size;
  }

  add(tx: T): void {
    const method = tx.request.method;
    const rfc2543 = !isRfc3261Branch(tx.summary.topVia.branch);
    const primary = rfc2543 ? rfc2543Key(tx.request, tx.summary, method) : serverTransactionKey(tx.summary, method);
    const merge = mergeKey(tx.summary);
    this.keys.set(tx, { primary, rfc2543, merge });
    if (rfc2543) {
      const list = this.by2543.get(primary);
      if (list === undefined) this.by2543.set(primary, [tx]);
      else list.push(tx);
    } else this.byBranch.set(primary, tx);
    if (merge !== null) this.mergeCounts.set(merge, (this.mergeCounts.get(merge) ?? 0) + 1);
  }

  remove(tx: T): void {
    const k = this.keys.get(tx);
    if (k === undefined) return;
    this.keys.delete(tx);
    if (k.rfc2543) {
      const rest = (this.by2543.get(k.primary) ?? []).filter((t) => t !== tx);
      if (rest.length === 0) this.by2543.delete(k.primary);
      else this.by2543.set(k.primary, rest);
    } else if (this.byBranch.get(k.primary) === tx) this.byBranch.delete(k.primary);
    if (k.merge !== null) {
      const n = (this.mergeCounts.get(k.merge) ?? 1) - 1;
      if (n <= 0) this.mergeCounts.delete(k.merge);
      else this.mergeCounts.set(k.merge, n);
    }
  }

  /** §17.2.3: the transaction this request (a retransmission, or an ACK) belongs to. */
  match(request: SipRequest, summary: MessageSummary): T | undefined {
    return this.find(request, summary, matchingMethod(request));
  }

  /** §9.2: the INVITE server transaction a CANCEL targets: matched as if it were the INVITE. */
  matchInviteForCancel(cancel: SipRequest, summary: MessageSummary): T | undefined {
    return this.find(cancel, summary, "INVITE");
  }

  /**
   * §8.2.2.2: a request without To tag whose From tag, Call-ID and CSeq equal those of an
   * ongoing transaction it did not match (it took another path, e.g. forked by a proxy
   * and merged back). The TU answers it 482 (Loop Detected).
   */
  isMerged(summary: MessageSummary): boolean {
    const key = mergeKey(summary);
    return key !== null && (this.mergeCounts.get(key) ?? 0) > 0;
  }

  private find(request: SipRequest, summary: MessageSummary, method: string): T | undefined {
    if (isRfc3261Branch(summary.topVia.branch)) {
      return this.byBranch.get(serverTransactionKey(summary, method));
    }
    const candidates = this.by2543.get(rfc2543Key(request, summary, method));
    if (candidates === undefined) return undefined;
    // §17.2.3: the ACK's To tag matches that of the response the transaction sent; any
    // other request's To tag matches the original request's.
    const isAck = request.method === "ACK";
    return candidates.find((tx) => summary.toTag === (isAck ? responseToTag(tx.lastResponse()) : tx.summary.toTag));
  }
}

function responseToTag(response: SipResponse | null): string | null {
  if (response === null) return null;
  const to = parseNameAddr(getHeader(response, "to") ?? "");
  return to.ok ? unquote(to.value.params.get("tag")) : null;
}
