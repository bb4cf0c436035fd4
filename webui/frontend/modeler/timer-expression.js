// Building timer expressions from the calendar functions (docs/modelling.md). Timer
// expressions are Python evaluated in the sandbox: names of process data (`published_at`,
// `guideline["expires_at"]`) and numbers go in as written, anything else is a string literal
// and is quoted; a JSON string is also a valid Python string literal.
const NUMBER = /^-?\d+(\.\d+)?$/;
const DATA_REFERENCE = /^[A-Za-z][A-Za-z0-9_]*(\[("[^"\\]*"|'[^'\\]*'|\d+)\])*$/;
const CALL = /^[A-Za-z][A-Za-z0-9_]*\(.*\)$/;
const ISO_DURATION = /^P(\d+[YMWD])*(T(\d+[HMS])+)?$/;
const PYTHON_LITERALS = new Set(["True", "False", "None"]);

export function quoteArgument(text) {
  const value = text.trim();
  if (NUMBER.test(value) || PYTHON_LITERALS.has(value)) {
    return value;
  }
  if (ISO_DURATION.test(value) && value !== "P") {
    return JSON.stringify(value);
  }
  if (DATA_REFERENCE.test(value) || CALL.test(value)) {
    return value;
  }
  if (/^(["']).*\1$/.test(value)) {
    return value;
  }
  return JSON.stringify(value);
}

/** Parameter names of a signature such as "add_working_days(start, n)". */
export function parameterNames(signature) {
  const match = /\(([^)]*)\)/.exec(signature);
  if (!match || !match[1].trim()) {
    return [];
  }
  return match[1].split(",").map((part) => part.trim().split(/[:=]/)[0].trim()).filter(Boolean);
}

export function buildCall(name, argumentTexts) {
  return `${name}(${argumentTexts.map(quoteArgument).join(", ")})`;
}
