// Parses the `hotline user import` file: one user per line, `username,password[,display name]`.
// Fields may be double-quoted as spreadsheets export them ("Smith, John"). Everything is
// validated before anything is written, so a bad line imports nothing.
import { hasControlChars, passwordProblem, usernameProblem } from "../config/schema.js";
import type { NewUser } from "../users/user-records.js";

export type CsvImportResult = { ok: true; users: NewUser[] } | { ok: false; errors: string[] };

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines); null on an unterminated quote. */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      const comma = line.indexOf(",", i);
      field += line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(",", i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    }
    fields.push(field);
    if (i > line.length) return fields;
  }
}

function parseLine(fields: string[]): { user: NewUser; problems: string[] } {
  const [rawName = "", password = "", rawDisplay = ""] = fields;
  const username = rawName.trim();
  const displayName = rawDisplay.trim() || null;
  const problems: string[] = [];
  if (fields.length < 2 || fields.length > 3) problems.push(`expected username,password[,display name] (${fields.length} fields; quote a display name that contains commas)`);
  const nameProblem = usernameProblem(username);
  if (nameProblem) problems.push(`username ${JSON.stringify(username)}: ${nameProblem}`);
  const passProblem = fields.length >= 2 ? passwordProblem(password) : null;
  // The password itself is never echoed: these messages end up in terminals and logs.
  if (passProblem) problems.push(`password: ${passProblem}`);
  if (displayName && (displayName.length > 128 || hasControlChars(displayName))) {
    problems.push("display name: must be at most 128 characters without control characters");
  }
  return { user: { username, password, displayName }, problems };
}

const isHeader = (fields: string[]) => fields[0]?.trim().toLowerCase() === "username" && fields[1]?.trim().toLowerCase() === "password";

/** Parses the file's text; `file` names it in error messages ("users.csv:12: …"). */
export function parseUserCsv(text: string, file: string): CsvImportResult {
  const users: NewUser[] = [];
  const errors: string[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const fields = splitCsvLine(line);
    if (!fields) return void errors.push(`${file}:${lineNo}: unterminated quoted field`);
    if (users.length === 0 && errors.length === 0 && isHeader(fields)) return;
    const { user, problems } = parseLine(fields);
    const earlier = firstLine.get(user.username);
    if (earlier !== undefined) problems.push(`duplicate username "${user.username}" (first on line ${earlier})`);
    else firstLine.set(user.username, lineNo);
    for (const p of problems) errors.push(`${file}:${lineNo}: ${p}`);
    users.push(user);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, users };
}
