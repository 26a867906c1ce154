/** Dialog ids as map keys (RFC 3261 §12), from @hotline/sip, for requests we receive. */
import { dialogKey, getHeader, tagOf, type SipRequest } from "@hotline/sip";

export { dialogKey };

/** The dialog id of an in-dialog request as its receiver sees it (§12.2.2: local = To tag). */
export function dialogKeyOf(request: SipRequest): string {
  return dialogKey(getHeader(request, "call-id") ?? "", tagOf(getHeader(request, "to")) ?? "", tagOf(getHeader(request, "from")) ?? "");
}

export function hasToTag(request: SipRequest): boolean {
  return (tagOf(getHeader(request, "to")) ?? "") !== "";
}
