/**
 * Dialog identity (RFC 3261 §12): Call-ID, local tag and remote tag. Which tag is local
 * depends on our role in the transaction carrying the message: the UAC's local tag is the
 * From tag, the UAS's is the To tag (§12.1.1, §12.1.2, §12.2.2).
 */
import { getHeader, getHeaderValues } from "../headers.js";
import type { SipMessage } from "../message.js";
import { unquote } from "../parse-params.js";
import { parseNameAddr } from "../parse-name-addr.js";

export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

/** Our role in the transaction a message belongs to: "uac" sent the request, "uas" received it. */
export type TransactionRole = "uac" | "uas";

/**
 * A Map key for a dialog. Call-IDs and tags never hold a NUL (Call-ID is `word`, a tag
 * is a `token`, RFC 3261 §25.1), so joining with it cannot make two ids collide.
 */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

export function dialogKeyOf(id: DialogId): string {
  return dialogKey(id.callId, id.localTag, id.remoteTag);
}

/** The tag parameter of a From/To value, unquoted, or null (none, or the value does not parse). */
export function tagOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const r = parseNameAddr(value);
  return r.ok ? unquote(r.value.params.get("tag")) : null;
}

/**
 * The dialog id of `message` as seen by the side playing `role` in its transaction
 * (§12.2.2: a UAS receiving an in-dialog request takes the To tag as local and the From
 * tag as remote; a UAC receiving a response takes the From tag as local). Null when the
 * message has no Call-ID or no tag on our side, so it belongs to no dialog of ours. A
 * missing tag on the peer's side is "" (RFC 2543 peers send none; §12.1.1 calls it null).
 */
export function matchDialogId(message: SipMessage, role: TransactionRole): DialogId | null {
  const callId = getHeader(message, "call-id");
  if (callId === undefined) return null;
  const fromTag = tagOf(getHeader(message, "from"));
  const toTag = tagOf(getHeader(message, "to"));
  const local = role === "uas" ? toTag : fromTag;
  const remote = role === "uas" ? fromTag : toTag;
  if (local === null || local === "") return null;
  return { callId, localTag: local, remoteTag: remote ?? "" };
}

/** The URI of the first Contact value (the remote target, §12.1.1), or null when absent, "*" or unparsable. */
export function contactUriOf(message: SipMessage): string | null {
  const first = getHeaderValues(message, "contact")[0];
  if (first === undefined || first === "*") return null;
  const r = parseNameAddr(first);
  return r.ok ? r.value.uri : null;
}
