// What a waiting caller hears (issue 4), as prompt names per language: the switch turns them
// into a playlist of files. Pure; the wait estimate is computed by the caller.
import { sayNumber, type PromptLanguage } from "./say-number.js";

/** Phrase prompts (file names without .wav) and what they say; make-prompts.sh speaks the same texts. */
export const PHRASE_PROMPTS = [
  "caller-number", // "you are caller number" / 您现在排在第
  "in-queue", // "in the queue" / 位
  "estimated-wait", // "your estimated wait is" / 预计等待时间
  "minute", // "minute" / 分钟
  "minutes", // "minutes" / 分钟
  "less-than-minute", // "less than one minute" / 不到一分钟
  "all-busy", // "all our agents are busy, please hold" (the periodic announcement)
  "press-1-callback", // "press 1 to be called back, you will keep your place"
  "callback-thanks", // "thank you, we will call you back"
  "callback-greeting", // "this is the hotline returning your call"
] as const;
export type PhrasePrompt = (typeof PHRASE_PROMPTS)[number];

/** Which languages are played, in order ("zh+en": Mandarin, then English). */
export const ANNOUNCE_LANGUAGES = ["zh", "en", "zh+en"] as const;
export type AnnounceLanguage = (typeof ANNOUNCE_LANGUAGES)[number];

export function languagesOf(a: AnnounceLanguage): PromptLanguage[] {
  return a === "zh+en" ? ["zh", "en"] : [a];
}

/** A prompt in one language: `<language>/<name>`. */
export interface PromptRef {
  readonly language: PromptLanguage;
  readonly name: string;
}

/**
 * "You are caller number N in the queue; your estimated wait is M minutes" (or "less than
 * one minute"); `waitSeconds` null leaves the estimate out.
 */
export function positionAnnouncement(language: AnnounceLanguage, position: number, waitSeconds: number | null): PromptRef[] {
  const out: PromptRef[] = [];
  for (const lang of languagesOf(language)) {
    const say = (names: readonly string[]): void => void out.push(...names.map((name) => ({ language: lang, name })));
    say(["caller-number", ...sayNumber(position, lang, "ordinal"), "in-queue"]);
    if (waitSeconds === null) continue;
    if (waitSeconds < 60) say(["estimated-wait", "less-than-minute"]);
    else {
      const minutes = Math.ceil(waitSeconds / 60);
      say(["estimated-wait", ...sayNumber(minutes, lang, "count"), minutes === 1 ? "minute" : "minutes"]);
    }
  }
  return out;
}

/** One phrase in each announcement language. */
export function phrase(language: AnnounceLanguage, name: PhrasePrompt): PromptRef[] {
  return languagesOf(language).map((lang) => ({ language: lang, name }));
}
