// Maps a path in the parsed configuration (["sip", "listen", 1, "port"]) back to the line and
// column in the YAML text, so every error can point at the character to fix.
import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter } from "yaml";

export type ConfigPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

function startOf(node: unknown, lines: LineCounter): Position | null {
  if (!isNode(node) || !node.range) return null;
  return lines.linePos(node.range[0]);
}

/**
 * Position of the node at `path`, or of its nearest existing ancestor when the path does not
 * exist in the text (a missing required key is reported where its mapping starts).
 * With `atKey`, the last segment is a mapping key and the key itself is located.
 */
export function locate(doc: Document, lines: LineCounter, path: ConfigPath, atKey = false): Position {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      // String(): an unquoted key like 6000 is a number in the document but a string in the data.
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      const last = i === path.length - 1;
      node = pair.value ?? pair.key;
      found = last && atKey ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      node = found = item;
    } else {
      break;
    }
  }
  return startOf(found, lines) ?? { line: 1, col: 1 };
}

/** "sip.listen[1].port" */
export function formatPath(path: ConfigPath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** The plain value at `path` in `data`, or undefined. */
export function valueAt(data: unknown, path: ConfigPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
