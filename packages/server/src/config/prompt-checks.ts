// The prompt files the queues' announcements play (issue 4): checked at load, because at run
// time a missing file only ends the playlist early and the caller hears silence.
import { statSync } from "node:fs";
import { join } from "node:path";
import { NUMBER_PROMPTS, PHRASE_PROMPTS, PROMPT_LANGUAGES, languagesOf, type PromptLanguage } from "@hotline/ivr";
import type { ConfigIssue } from "./issues.js";
import type { HotlineConfig } from "./schema.js";

/** How many missing prompt files a message names; the rest are counted. */
const SHOWN_MISSING = 5;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every file `<dir>/<language>/<name>.wav` the configured announcement languages need. */
function neededPrompts(config: HotlineConfig): string[] {
  const languages = new Set<PromptLanguage>(Object.values(config.queues).flatMap((q) => languagesOf(q.announce.language)));
  return PROMPT_LANGUAGES.filter((l) => languages.has(l)).flatMap((l) => [...PHRASE_PROMPTS, ...NUMBER_PROMPTS[l]].map((name) => join(l, `${name}.wav`)));
}

/** calls.promptsDir (resolved): a directory holding every prompt the queues' languages need. */
function checkPromptsDir(config: HotlineConfig, fileProblem: (file: string) => string | null): ConfigIssue[] {
  const dir = config.calls.promptsDir;
  // null: the bundled assets/prompts, which hold both languages.
  if (dir === null) return [];
  const at = ["calls", "promptsDir"];
  if (!isDirectory(dir)) return [{ path: at, message: `directory not found: ${dir}`, showValue: false }];
  const missing = neededPrompts(config)
    .map((file) => join(dir, file))
    .filter((file) => fileProblem(file) !== null);
  if (missing.length === 0) return [];
  const more = missing.length > SHOWN_MISSING ? ` and ${missing.length - SHOWN_MISSING} more` : "";
  return [{ path: at, message: `is missing ${missing.length} prompt file(s) the queue announcements need: ${missing.slice(0, SHOWN_MISSING).join(", ")}${more}`, showValue: false }];
}

/** queues.<n>.announce.periodicFile (resolved): an existing, readable file. */
function checkPeriodicFiles(config: HotlineConfig, fileProblem: (file: string) => string | null): ConfigIssue[] {
  return Object.entries(config.queues).flatMap(([number, q]) => {
    const file = q.announce.periodicFile;
    const problem = file === null ? null : fileProblem(file);
    return problem ? [{ path: ["queues", number, "announce", "periodicFile"], message: problem, showValue: false }] : [];
  });
}

/** The prompt checks; `fileProblem` is checks.ts's (not found / not a file / unreadable). */
export function checkPrompts(config: HotlineConfig, fileProblem: (file: string) => string | null): ConfigIssue[] {
  return [...checkPromptsDir(config, fileProblem), ...checkPeriodicFiles(config, fileProblem)];
}
