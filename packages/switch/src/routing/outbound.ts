// Outbound routes (which trunks an external number goes out on, and in what form) and class of
// service (which extension may dial which class of external number).
import {
  CLASSES_OF_SERVICE, NUMBER_CLASSES,
  type ClassOfService, type NumberClass, type NumberClasses, type OutboundRoute,
} from "./dial-plan.js";
import { isPhoneNumber } from "./destination.js";
import { compilePatterns, firstMatch, type SourcedMatcher } from "./pattern.js";

export interface OutboundMatch {
  route: OutboundRoute;
  /** The number sent to the carrier: the dialled number after strip and prepend. */
  number: string;
}

export interface Classification {
  cls: NumberClass;
  pattern: string;
}

/** An external number that matches no class needs the widest class: fail closed, not open (toll fraud). */
export const UNCLASSIFIED_NEEDS: NumberClass = "international";

/** true when an extension of class `cos` may call a number of class `cls`. */
export function classAllows(cos: ClassOfService, cls: NumberClass): boolean {
  return CLASSES_OF_SERVICE.indexOf(cls) <= CLASSES_OF_SERVICE.indexOf(cos);
}

export class OutboundTable {
  private readonly classes: { cls: NumberClass; patterns: SourcedMatcher[] }[];

  constructor(
    private readonly routes: readonly OutboundRoute[],
    numberClasses: NumberClasses,
  ) {
    this.classes = NUMBER_CLASSES.map((cls) => ({ cls, patterns: compilePatterns(numberClasses[cls]) }));
  }

  /**
   * The first route (in file order) whose prefix the number starts with and is longer than.
   * Only phone numbers go out: a name ("alice") never reaches a carrier, even with prefix "".
   */
  match(dialed: string): OutboundMatch | null {
    if (!isPhoneNumber(dialed)) return null;
    for (const route of this.routes) {
      if (dialed.length > route.prefix.length && dialed.startsWith(route.prefix)) {
        return { route, number: route.prepend + dialed.slice(route.strip) };
      }
    }
    return null;
  }

  /** The first class (local, national, international) with a pattern the number matches. */
  classify(number: string): Classification | null {
    for (const { cls, patterns } of this.classes) {
      const hit = firstMatch(patterns, number);
      if (hit) return { cls, pattern: hit.source };
    }
    return null;
  }
}
