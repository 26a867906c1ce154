// Shared by the benches' tables and RESULT lines: how a figure is printed.

/** A figure in a table cell: `digits` decimals, "-" when missing or not finite. */
export const fmt = (n: number | undefined, digits = 0): string => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-");

/** A left-aligned table cell `n` characters wide. */
export const pad = (s: string, n: number): string => s.padEnd(n);

/** A figure on a RESULT line: `digits` decimals, "na" when missing or not finite (a target not run, no clean step). */
export function resultFigure(v: number | undefined, digits = 0): string {
  return v === undefined || !Number.isFinite(v) ? "na" : v.toFixed(digits);
}
