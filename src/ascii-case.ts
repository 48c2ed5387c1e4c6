// Scheme and host names compare without regard to ASCII case, and nothing else: DNS
// and git fold A-Z only. `toLowerCase()` folds Unicode too (U+212A KELVIN SIGN
// becomes `k`, U+0130 becomes `i̇`), which would let a look-alike name reach the
// plain name's token.
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
