/**
 * UTF-8 for RTCP SDES items and BYE reasons. TextEncoder/TextDecoder are web-platform
 * globals in every runtime we target; declaring only what we use keeps `"types": []`
 * for this package (STYLE.md §1), as @hotline/sip's text.ts does.
 */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

// Not fatal: a peer's malformed CNAME becomes U+FFFD, not a dropped report.
const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}
