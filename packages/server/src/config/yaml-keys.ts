// Mapping keys that YAML reads as numbers. An unquoted 6000 is harmless (the key becomes
// "6000"), but 0101234 becomes 101234 and 0x1F becomes 31: a DID or extension that silently
// changed. Such keys must be quoted.
import { isMap, isScalar, type Document } from "yaml";
import type { ConfigIssue } from "./issues.js";

/** Top-level mappings whose keys are numbers or names. */
const KEYED_SECTIONS = ["extensions", "ringGroups", "numbers", "schedules", "trunks"] as const;

export function numericKeyIssues(doc: Document): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const section of KEYED_SECTIONS) {
    const map = doc.get(section, true);
    if (!isMap(map)) continue;
    for (const pair of map.items) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value === "string" || key.source === undefined) continue;
      const read = String(key.value);
      if (read !== key.source) {
        issues.push({ path: [section, read], atKey: true, message: `YAML reads the key ${key.source} as the number ${read}; write it in quotes ("${key.source}")` });
      }
    }
  }
  return issues;
}
