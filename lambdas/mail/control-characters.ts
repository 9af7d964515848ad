/**
 * True when `text` holds a C0 control character or DEL: CR and LF above all, which would let a value
 * start a new mail header. `allowTab` is for header values, where folding whitespace is legal.
 */
export function hasControlCharacters(text: string, { allowTab = false } = {}): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && !(allowTab && code === 0x09)) || code === 0x7f) return true;
  }
  return false;
}
