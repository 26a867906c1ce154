/**
 * UTF-8 text codec for the pure core. TextEncoder/TextDecoder are web-platform globals
 * present in every JS runtime we target; declaring just what we use keeps `"types": []`
 * (no Node typings) for this package (STYLE.md §1).
 */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(src: string, dest: Uint8Array): { read: number; written: number };
}

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/**
 * Node's Buffer encodes a 1 KB header section ~4x faster than TextEncoder (measured:
 * 0.27 µs vs 1.05 µs). Detected at run time so this package needs no Node typings and
 * still runs in a browser.
 */
interface BufferStatic {
  from(text: string, encoding: "utf8"): Uint8Array;
}
const NodeBuffer: BufferStatic | undefined = (globalThis as { Buffer?: BufferStatic }).Buffer;

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function encodeUtf8(text: string): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.from(text, "utf8") : encoder.encode(text);
}

/** Encodes `text` into `dest` at `offset`; returns the number of bytes written. */
export function encodeUtf8Into(text: string, dest: Uint8Array, offset: number): number {
  return encoder.encodeInto(text, dest.subarray(offset)).written;
}

export const EMPTY_BODY: Uint8Array = new Uint8Array(0);
