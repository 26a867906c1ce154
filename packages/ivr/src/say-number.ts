// Numbers as prompt names (issue 4: position and estimated-wait announcements). Pure: the
// caller turns names into files (`<promptsDir>/<language>/<name>.wav`, made by
// scripts/make-prompts.sh or recorded by the hotline).

export const PROMPT_LANGUAGES = ["en", "zh"] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

/**
 * "count": a quantity ("2 minutes" → Mandarin 两分钟); "ordinal": a place or label
 * ("caller number 2" → 第二位), where Mandarin keeps 二.
 */
export type NumberUse = "count" | "ordinal";

/** Every number prompt a language needs for 0..9999 (what make-prompts.sh generates). */
export const NUMBER_PROMPTS: Readonly<Record<PromptLanguage, readonly string[]>> = {
  en: [...Array.from({ length: 20 }, (_, i) => String(i)), "20", "30", "40", "50", "60", "70", "80", "90", "hundred", "thousand"],
  zh: [...Array.from({ length: 10 }, (_, i) => String(i)), "liang", "shi", "bai", "qian"],
};

/** The prompt names that say `n` (an integer; negatives as 0, past 9999 digit by digit). */
export function sayNumber(n: number, language: PromptLanguage, use: NumberUse = "count"): string[] {
  const v = Math.max(0, Math.trunc(Number.isFinite(n) ? n : 0));
  if (v > 9999) return [...String(v)];
  return language === "en" ? english(v) : mandarin(v, use);
}

/** English (US style, no "and"): 1234 → one thousand two hundred thirty four. */
function english(n: number): string[] {
  if (n === 0) return ["0"];
  const out: string[] = [];
  const th = Math.floor(n / 1000);
  const h = Math.floor(n / 100) % 10;
  const r = n % 100;
  if (th > 0) out.push(String(th), "thousand");
  if (h > 0) out.push(String(h), "hundred");
  if (r > 0 && r < 20) out.push(String(r));
  else if (r >= 20) {
    out.push(String(r - (r % 10)));
    if (r % 10 > 0) out.push(String(r % 10));
  }
  return out;
}

/**
 * Mandarin: digit + unit (千 百 十) from the highest, one 零 for each run of zeros inside
 * the number and none at its end (105 一百零五, 1050 一千零五十, 1200 一千二百); a leading
 * 一十 is said 十 (12 十二, but 112 一百一十二). In counts a leading 2 before 千 or 百, or
 * standing alone, is 两 (两千, 两百, 两分钟); 二十 stays 二十, and ordinals keep 二.
 */
function mandarin(n: number, use: NumberUse): string[] {
  if (n === 0) return ["0"];
  const places: [number, string | null][] = [
    [Math.floor(n / 1000), "qian"],
    [Math.floor(n / 100) % 10, "bai"],
    [Math.floor(n / 10) % 10, "shi"],
    [n % 10, null],
  ];
  const out: string[] = [];
  let started = false;
  let zero = false;
  for (const [d, unit] of places) {
    if (d === 0) {
      zero ||= started;
      continue;
    }
    if (zero) out.push("0");
    zero = false;
    if (unit === "shi" && d === 1 && !started) out.push("shi");
    else {
      out.push(d === 2 && use === "count" && !started && unit !== "shi" ? "liang" : String(d));
      if (unit !== null) out.push(unit);
    }
    started = true;
  }
  return out;
}
