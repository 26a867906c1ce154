// Dialogs (RFC 3261 §12), UAC request construction (§8.1.1, §9.1, §13.2.2.4) and hangup
// causes (Q.850 / RFC 3326 Reason / RFC 3398 mappings).
export { contactValue, formatAddress, formatDisplayName, viaValue, withoutTag, withTag, type ViaSpec } from "./address-text.js";
export { buildRequest, DEFAULT_MAX_FORWARDS, type RequestParts } from "./build-request.js";
export { createAck2xx, type Ack2xxOptions } from "./create-ack-2xx.js";
export { createCancel } from "./create-cancel.js";
export { createDialogResponse, type DialogResponseOptions } from "./create-dialog-response.js";
export { createRequest, type OutOfDialogRequestOptions } from "./create-request.js";
export {
  Dialog,
  TARGET_REFRESH_METHODS,
  type DialogResponseEffect,
  type InDialogRequestCheck,
  type InDialogRequestOptions,
} from "./dialog.js";
export { contactUriOf, dialogKey, dialogKeyOf, matchDialogId, tagOf, type DialogId, type TransactionRole } from "./dialog-id.js";
export { DIALOG_STATES, type DialogState, type UacDialogOptions, type UasDialogOptions } from "./dialog-init.js";
export {
  CAUSES,
  describeCause,
  q850ToSipStatus,
  RFC3398_Q850_TO_SIP,
  RFC3398_SIP_TO_Q850,
  sipStatusToQ850,
  type CauseName,
  type HangupCause,
} from "./q850.js";
export {
  formatReason,
  parseReason,
  q850CauseOf,
  q850Reason,
  reasonsOf,
  responseCause,
  warningCodeOf,
  type ReasonResult,
  type ReasonValue,
} from "./reason-header.js";
export { isLooseRoute, routeRequest, type Routing } from "./route-set.js";
