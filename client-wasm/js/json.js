// JSON text of the values the app sends.

/** JSON text of `value` (undefined stays undefined); NaN and Infinity are refused. */
export function stringify(value) {
  if (value === undefined) return undefined;
  // NaN and Infinity come out as `null`: text without "null" cannot hold one,
  // and skips the replacer, which costs more than the whole call otherwise.
  const text = JSON.stringify(value);
  if (text === undefined || !text.includes("null")) return text;
  return JSON.stringify(value, (key, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new TypeError(`cannot send ${v} as JSON${key ? ` (in "${key}")` : ""}: JSON has no NaN or Infinity`);
    }
    return v;
  });
}
