/**
 * The registrar (RFC 3261 §10.3). Bindings live in memory for lookups and are written
 * through to the store before the REGISTER is answered, so a 200 OK implies durable.
 * No clock of its own: every call takes `now` (ms).
 */
import type { BindingRecord, BindingSource, Store } from "../store.js";
import { contactKey, readRegister, type RegisterIntent, type RequestedContact } from "./register-request.js";
import type { SipRequest } from "@hotline/sip";
import { ownString } from "../own-string.js";

export interface RegistrarSettings {
  domain: string;
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  maxContactsPerAor: number;
}

/** A binding plus what only lives in memory: its key and its reachability. */
export interface Binding extends BindingRecord {
  key: string;
  /** Consecutive keep-alive failures; reset by any successful probe or refresh. */
  failures: number;
  reachable: boolean;
}

export type RegisterOutcome =
  | { status: 200; aor: string; bindings: Binding[]; now: number }
  | { status: 423; minExpires: number }
  | { status: 400 | 403 | 404 | 500; reason: string };

export class Registrar {
  private readonly byAor = new Map<string, Binding[]>();

  constructor(
    private readonly settings: RegistrarSettings,
    private readonly store: Store,
  ) {}

  /** Loads bindings that survived a restart; expired ones are purged from the store. */
  async load(now: number): Promise<number> {
    await this.store.bindings.removeExpired(now);
    const rows = await this.store.bindings.listAll();
    this.byAor.clear();
    for (const r of rows) this.listFor(r.aor).push({ ...r, key: contactKey(r.contact), failures: 0, reachable: true });
    return rows.length;
  }

  /** Handles an authenticated REGISTER. `username` is who authenticated. */
  async register(req: SipRequest, username: string, source: BindingSource, now: number): Promise<RegisterOutcome> {
    const read = readRegister(req, this.settings.domain, this.settings.defaultExpires);
    if (!read.ok) return { status: read.status as 400 | 404, reason: read.reason };
    const intent = read.intent;
    // §10.3 step 4: only the AOR's own user may change its bindings.
    if (intent.user !== username) return { status: 403, reason: "Forbidden" };
    if (intent.kind === "fetch") return this.ok(intent.aor, now);
    if (intent.kind === "remove-all") return this.removeAll(intent, now);
    return this.update(intent, source, req, now);
  }

  private async removeAll(intent: Extract<RegisterIntent, { kind: "remove-all" }>, now: number): Promise<RegisterOutcome> {
    const list = this.live(intent.aor, now);
    // §10.3 step 6: a binding with the same Call-ID and a higher CSeq → out of order.
    if (list.some((b) => b.callId === intent.callId && b.cseq > intent.cseq)) return { status: 400, reason: "Out Of Order CSeq" };
    this.byAor.delete(intent.aor);
    await this.store.bindings.removeAor(intent.aor);
    return this.ok(intent.aor, now);
  }

  private async update(intent: Extract<RegisterIntent, { kind: "update" }>, source: BindingSource, req: SipRequest, now: number): Promise<RegisterOutcome> {
    const { minExpires, maxExpires } = this.settings;
    // §10.3 step 7: a non-zero expiry below the minimum fails the whole request (423).
    if (intent.contacts.some((c) => c.expires !== 0 && c.expires < minExpires)) return { status: 423, minExpires };
    const list = [...this.live(intent.aor, now)];
    const removed: Binding[] = [];
    const upserted: Binding[] = [];
    const userAgent = headerValue(req, "user-agent");
    for (const c of intent.contacts) {
      const idx = list.findIndex((b) => sameBinding(b, c));
      const existing = idx === -1 ? undefined : list[idx];
      if (existing !== undefined && existing.callId === intent.callId) {
        // REGISTER is answered statelessly (RFC 3261 §8.2.7), so a retransmission reaches
        // us again: the same Call-ID and CSeq changes nothing and gets the same answer.
        if (existing.cseq === intent.cseq) continue;
        if (existing.cseq > intent.cseq) return { status: 400, reason: "Out Of Order CSeq" };
      }
      if (existing !== undefined && existing.contact === c.uri && c.expires !== 0) {
        // A refresh updates the binding in place: bindings live in V8's old space for an
        // hour, and replacing the object on every refresh was old-space churn that made
        // mark-compact pauses (up to 25 ms) overflow the UDP receive buffer under load.
        refreshBinding(existing, intent, c, Math.min(c.expires, maxExpires), source, userAgent, now);
        upserted.push(existing);
        continue;
      }
      if (existing !== undefined) {
        list.splice(idx, 1);
        removed.push(existing);
      }
      if (c.expires === 0) continue;
      const b = newBinding(intent, c, Math.min(c.expires, maxExpires), source, userAgent, now);
      list.push(b);
      upserted.push(b);
    }
    // Over the limit, the least recently refreshed binding goes (a rebooted phone's stale
    // contact is the usual surplus; refusing would lock the desk out).
    list.sort((a, b) => a.updatedAt - b.updatedAt);
    while (list.length > this.settings.maxContactsPerAor) removed.push(list.shift()!);
    await this.persist(removed, upserted.filter((b) => list.includes(b)));
    if (list.length === 0) this.byAor.delete(intent.aor);
    // The key is owned too: intent.aor is built from a slice of this REGISTER's To header.
    else if (!this.byAor.has(intent.aor)) this.byAor.set(own(intent.aor), list);
    else this.byAor.set(intent.aor, list);
    return this.ok(intent.aor, now);
  }

  private async persist(removed: Binding[], upserted: Binding[]): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const b of removed) if (!upserted.some((u) => u.contact === b.contact)) writes.push(this.store.bindings.remove(b.aor, b.contact));
    for (const b of upserted) writes.push(this.store.bindings.upsert(stripMemoryFields(b)));
    await Promise.all(writes);
  }

  private ok(aor: string, now: number): RegisterOutcome {
    return { status: 200, aor, bindings: this.live(aor, now), now };
  }

  /** Live bindings of an AOR, best first (q descending, then most recent). */
  lookup(aor: string, now: number): Binding[] {
    return this.live(aor, now)
      .filter((b) => b.reachable)
      .sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt);
  }

  /** Every live binding (for `registrations` and keep-alives). */
  all(now: number): Binding[] {
    const out: Binding[] = [];
    for (const aor of this.byAor.keys()) out.push(...this.live(aor, now));
    return out;
  }

  /** Drops expired bindings from memory and the store; returns them. */
  async expire(now: number): Promise<Binding[]> {
    const gone: Binding[] = [];
    for (const [aor, list] of this.byAor) {
      const keep = list.filter((b) => b.expiresAt > now);
      if (keep.length === list.length) continue;
      gone.push(...list.filter((b) => b.expiresAt <= now));
      if (keep.length === 0) this.byAor.delete(aor);
      else this.byAor.set(aor, keep);
    }
    if (gone.length > 0) await this.store.bindings.removeExpired(now);
    return gone;
  }

  /** Keep-alive result for one binding (RFC 5626 §4.4 style flow liveness). */
  markProbe(aor: string, contact: string, ok: boolean, failuresBeforeUnreachable: number): Binding | null {
    const b = this.byAor.get(aor)?.find((x) => x.contact === contact);
    if (b === undefined) return null;
    b.failures = ok ? 0 : b.failures + 1;
    b.reachable = b.failures < failuresBeforeUnreachable;
    return b;
  }

  get size(): number {
    let n = 0;
    for (const list of this.byAor.values()) n += list.length;
    return n;
  }

  private live(aor: string, now: number): Binding[] {
    return (this.byAor.get(aor) ?? []).filter((b) => b.expiresAt > now);
  }

  private listFor(aor: string): Binding[] {
    let list = this.byAor.get(aor);
    if (list === undefined) this.byAor.set(aor, (list = []));
    return list;
  }
}

/** RFC 5626: the same instance and reg-id replace a flow even from a new contact URI. */
function sameBinding(b: Binding, c: RequestedContact): boolean {
  if (b.instanceId !== null && c.instanceId !== null) return b.instanceId === c.instanceId && b.regId === c.regId;
  return b.key === c.key;
}

const own = ownString;

function ownOrNull(s: string | null): string | null {
  return s === null ? null : own(s);
}

function newBinding(intent: RegisterIntent, c: RequestedContact, expires: number, source: BindingSource, userAgent: string | null, now: number): Binding {
  return {
    aor: own(intent.aor),
    contact: own(c.uri),
    key: own(c.key),
    callId: own(intent.callId),
    cseq: intent.cseq,
    expiresAt: now + expires * 1000,
    q: c.q,
    source: { ...source, address: own(source.address) },
    userAgent: ownOrNull(userAgent),
    instanceId: ownOrNull(c.instanceId),
    regId: c.regId,
    updatedAt: now,
    failures: 0,
    reachable: true,
  };
}

function refreshBinding(b: Binding, intent: RegisterIntent, c: RequestedContact, expires: number, source: BindingSource, userAgent: string | null, now: number): void {
  b.callId = b.callId === intent.callId ? b.callId : own(intent.callId);
  b.cseq = intent.cseq;
  b.expiresAt = now + expires * 1000;
  b.q = c.q;
  if (b.source.address !== source.address || b.source.port !== source.port || b.source.transport !== source.transport || b.source.connectionId !== source.connectionId) {
    b.source = { ...source, address: own(source.address) };
  }
  if (b.userAgent !== userAgent) b.userAgent = ownOrNull(userAgent);
  if (b.instanceId !== c.instanceId) b.instanceId = ownOrNull(c.instanceId);
  b.regId = c.regId;
  b.updatedAt = now;
  b.failures = 0;
  b.reachable = true;
}

function stripMemoryFields(b: Binding): BindingRecord {
  const { key: _key, failures: _failures, reachable: _reachable, ...record } = b;
  return record;
}

function headerValue(req: SipRequest, key: string): string | null {
  for (const h of req.headers) if (h.key === key) return h.value;
  return null;
}
