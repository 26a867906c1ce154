/**
 * Busy-lamp fields: the dialog event package (RFC 4235) over SUBSCRIBE/NOTIFY (RFC 6665).
 * A desk phone subscribes to an extension (Event: dialog); hotline answers 200, sends the
 * full state at once (RFC 6665 §4.2.1) and again whenever the extension's state changes:
 * no dialog (idle), "early" (ringing), "confirmed" (in a call). Subscriptions expire unless
 * refreshed; Expires: 0 ends one with a final NOTIFY (§4.1.2.3).
 */
import { createDialogResponse, Dialog, encodeUtf8, getHeader, headerField, isSipUri, parseUri, type FlowEndpoint, type SipRequest } from "@hotline/sip";
import type { CallManager } from "./call-manager.js";
import { dialogKey, dialogKeyOf } from "./dialog-key.js";
import type { CancelTimer } from "./ports.js";

const MAX_EXPIRES = 3600;
const MIN_EXPIRES = 60;

interface Subscription {
  key: string;
  extension: string;
  dialog: Dialog;
  flow: FlowEndpoint;
  version: number;
  /** The last state body sent, to notify only on change. */
  last: string;
  expiry: CancelTimer;
}

export type ExtensionDialogState = { state: "early" | "confirmed"; callId: string; direction: "initiator" | "recipient" } | null;

export class DialogEventPackage {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly m: CallManager) {}

  get size(): number {
    return this.subs.size;
  }

  /** An out-of-dialog SUBSCRIBE: already authenticated by the caller of this method. */
  subscribe(txId: string, req: SipRequest, source: FlowEndpoint, subscriber: string): void {
    if (!isDialogEvent(req)) return this.m.respond(txId, req, 489, [headerField("Allow-Events", "dialog")]);
    const u = parseUri(req.uri);
    const ext = u.ok && isSipUri(u.uri) ? u.uri.user : null;
    const target = ext === null ? null : this.m.deps.routing.route({ dialed: ext, caller: subscriber, origin: { kind: "extension", extension: subscriber } }, this.m.deps.scheduler.now()).target;
    if (ext === null || target?.kind !== "extension") return this.m.respond(txId, req, 404, [], "No Such Extension");
    const expires = this.expiresOf(req);
    if (expires === null) return this.m.respond(txId, req, 423, [headerField("Min-Expires", String(MIN_EXPIRES))]);
    const localTag = this.m.deps.sip.newToken();
    const contact = `<sip:${ext}@${this.m.deps.sip.sentBy(source.transport) ?? "127.0.0.1"};transport=${source.transport}>`;
    this.m.deps.sip.respond(txId, createDialogResponse(req, 200, { toTag: localTag, contact, headers: [headerField("Expires", String(expires))] }));
    const dialog = Dialog.fromUas(req, localTag, contact);
    const key = dialogKey(dialog.callId, dialog.localTag, dialog.remoteTag);
    const sub: Subscription = { key, extension: ext, dialog, flow: source, version: 0, last: "", expiry: () => undefined };
    this.subs.set(key, sub);
    this.m.deps.metrics.inc("blf_subscriptions_total");
    this.notify(sub, expires, true);
  }

  /** A SUBSCRIBE inside one of our subscription dialogs (refresh or Expires: 0); false if not ours. */
  refresh(txId: string, req: SipRequest): boolean {
    const sub = this.subs.get(dialogKeyOf(req));
    if (sub === undefined) return false;
    const check = sub.dialog.receiveRequest(req);
    if (!check.ok) {
      this.m.respond(txId, req, check.status, [], check.reason);
      return true;
    }
    const expires = this.expiresOf(req);
    if (expires === null) {
      this.m.respond(txId, req, 423, [headerField("Min-Expires", String(MIN_EXPIRES))]);
      return true;
    }
    this.m.deps.sip.respond(txId, createDialogResponse(req, 200, { toTag: sub.dialog.localTag, contact: sub.dialog.localContact, headers: [headerField("Expires", String(expires))] }));
    this.notify(sub, expires, true);
    return true;
  }

  /** Re-evaluates every subscribed extension; NOTIFYs those whose state changed. */
  update(): void {
    for (const sub of this.subs.values()) this.notify(sub, null, false);
  }

  /** The extension's current dialog state as the lamp shows it. */
  stateOf(ext: string): ExtensionDialogState {
    let early: ExtensionDialogState = null;
    for (const c of this.m.calls.values()) {
      if (c.state === "ended") continue;
      const direction = c.caller === ext ? "initiator" : "recipient";
      if (c.occupies.has(ext) && (c.state === "connected" || c.state === "parked")) return { state: "confirmed", callId: c.id, direction };
      if (c.ringing.has(ext) || c.occupies.has(ext)) early ??= { state: "early", callId: c.id, direction };
    }
    return early;
  }

  private notify(sub: Subscription, expires: number | null, force: boolean): void {
    const body = this.body(sub);
    if (!force && body === sub.last && expires === null) return;
    sub.last = body;
    const terminated = expires === 0;
    if (expires !== null) {
      sub.expiry();
      sub.expiry = terminated ? () => undefined : this.m.deps.scheduler.after(expires * 1000, () => this.end(sub, "timeout"));
    }
    const state = terminated ? "terminated;reason=timeout" : `active${expires !== null ? `;expires=${expires}` : ""}`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${sub.version++}" state="full" entity="sip:${sub.extension}@${this.m.deps.options.domain}">\r\n${body}</dialog-info>\r\n`;
    const request = sub.dialog.createRequest("NOTIFY", {
      via: { transport: sub.flow.transport.toUpperCase(), sentBy: this.m.deps.sip.sentBy(sub.flow.transport) ?? "127.0.0.1", branch: this.m.deps.sip.newBranch() },
      contact: sub.dialog.localContact,
      headers: [headerField("Event", "dialog"), headerField("Subscription-State", state)],
      body: encodeUtf8(xml),
      contentType: "application/dialog-info+xml",
    });
    if (terminated) this.forget(sub);
    this.m.deps.sip.sendRequest(request, sub.flow, {
      // RFC 6665 §4.2.2: a 481 (or no answer) to NOTIFY ends the subscription.
      onResponse: (r) => {
        if (r.status === 481) this.forget(sub);
      },
      onFailure: () => this.forget(sub),
    });
  }

  private end(sub: Subscription, reason: string): void {
    void reason;
    this.notify(sub, 0, true);
  }

  private forget(sub: Subscription): void {
    sub.expiry();
    this.subs.delete(sub.key);
  }

  private body(sub: Subscription): string {
    const s = this.stateOf(sub.extension);
    if (s === null) return "";
    return `<dialog id="${s.callId}" direction="${s.direction}"><state>${s.state}</state></dialog>\r\n`;
  }

  /** Expires asked for, capped at MAX_EXPIRES; null when too brief (but not 0). */
  private expiresOf(req: SipRequest): number | null {
    const raw = Number(getHeader(req, "expires") ?? MAX_EXPIRES);
    const v = Number.isFinite(raw) ? Math.min(raw, MAX_EXPIRES) : MAX_EXPIRES;
    if (v !== 0 && v < MIN_EXPIRES) return null;
    return v;
  }
}

function isDialogEvent(req: SipRequest): boolean {
  return /^\s*dialog\s*(;|$)/i.test(getHeader(req, "event") ?? "");
}
