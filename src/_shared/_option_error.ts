/**
 * The longest delay a timer takes on every runtime (2³¹ − 1 ms, about 24.8
 * days): Node.js and browsers fire at once for longer ones.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Throws a `RangeError`, or the error type given, naming the class being
 * built, the option, what it must be and the value it has.
 */
export function failOption(
  subject: string,
  option: string,
  requirement: string,
  value: unknown,
  ErrorType: typeof RangeError | typeof TypeError = RangeError,
): never {
  throw new ErrorType(
    `Cannot create ${subject} as '${option}' must be ${requirement}: current value is ${
      describe(value)
    }`,
  );
}

/** A finite number of milliseconds from `min` that a timer can wait. */
export function isMilliseconds(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isFinite(value) &&
    value >= min && value <= MAX_TIMER_MS;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    const shown: string[] = [];
    for (let index = 0; index < Math.min(value.length, 10); index++) {
      shown.push(index in value ? describe(value[index]) : "<hole>");
    }
    return `[${shown.join(", ")}${value.length > 10 ? ", …" : ""}]`;
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}
