/**
 * The rule of hasControlCharacters as JSON Schema patterns (for the OpenAPI document): no C0 control
 * character and no DEL, or (for header values) none but tab.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';
export const NO_CONTROL_CHARACTERS_BUT_TAB = '^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$';

const CLEAN = new RegExp(NO_CONTROL_CHARACTERS);
const CLEAN_BUT_TAB = new RegExp(NO_CONTROL_CHARACTERS_BUT_TAB);

/**
 * True when `text` holds a C0 control character or DEL: CR and LF above all, which would let a value
 * start a new mail header. `allowTab` is for header values, where folding whitespace is legal.
 */
export function hasControlCharacters(text: string, { allowTab = false } = {}): boolean {
  return !(allowTab ? CLEAN_BUT_TAB : CLEAN).test(text);
}
