// D-Bus type signatures, parsed into a tree the codec walks. Pure. What a peer sends
// is input like any other: every limit of the specification is checked here.
import { DBusWireError } from './errors.js';

export type BasicCode = 'y' | 'b' | 'n' | 'q' | 'i' | 'u' | 'x' | 't' | 'd' | 'h' | 's' | 'o' | 'g';

export type TypeNode =
  | { readonly code: BasicCode }
  | { readonly code: 'v' }
  | { readonly code: 'a'; readonly element: TypeNode }
  | { readonly code: '('; readonly fields: readonly TypeNode[] }
  | { readonly code: '{'; readonly key: TypeNode & { readonly code: BasicCode }; readonly value: TypeNode };

const BASIC = new Set<string>(['y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g']);
export const MAX_SIGNATURE_LENGTH = 255;
const MAX_ARRAY_DEPTH = 32;
const MAX_STRUCT_DEPTH = 32;

export function isBasic(code: string): code is BasicCode {
  return BASIC.has(code);
}

/** A signature as a list of complete types (a message body, a struct's fields). */
export function parseSignature(signature: string): TypeNode[] {
  if (signature.length > MAX_SIGNATURE_LENGTH) throw new DBusWireError(`signature longer than ${MAX_SIGNATURE_LENGTH}`);
  const types: TypeNode[] = [];
  let at = 0;
  while (at < signature.length) {
    const [node, next] = parseOne(signature, at, 0, 0);
    types.push(node);
    at = next;
  }
  return types;
}

/** Exactly one complete type (a variant's signature). */
export function parseSingleType(signature: string): TypeNode {
  const types = parseSignature(signature);
  if (types.length !== 1 || !types[0]) throw new DBusWireError('a variant must hold exactly one complete type');
  return types[0];
}

function parseOne(sig: string, at: number, arrays: number, structs: number): [TypeNode, number] {
  const code = sig[at];
  if (code === undefined) throw new DBusWireError('signature ends inside a type');
  if (isBasic(code)) return [{ code }, at + 1];
  if (code === 'v') return [{ code }, at + 1];
  if (code === 'a') {
    if (arrays + 1 > MAX_ARRAY_DEPTH) throw new DBusWireError('arrays nested too deeply');
    if (sig[at + 1] === '{') return parseDictEntry(sig, at + 1, arrays + 1, structs);
    const [element, next] = parseOne(sig, at + 1, arrays + 1, structs);
    return [{ code: 'a', element }, next];
  }
  if (code === '(') {
    if (structs + 1 > MAX_STRUCT_DEPTH) throw new DBusWireError('structs nested too deeply');
    const fields: TypeNode[] = [];
    let next = at + 1;
    while (sig[next] !== ')') {
      if (next >= sig.length) throw new DBusWireError('unclosed struct in signature');
      const [field, after] = parseOne(sig, next, arrays, structs + 1);
      fields.push(field);
      next = after;
    }
    if (fields.length === 0) throw new DBusWireError('empty struct in signature');
    return [{ code: '(', fields }, next + 1];
  }
  throw new DBusWireError(`unexpected ${JSON.stringify(code)} in signature`);
}

/** `{` only ever follows `a`: a key of basic type, one value, then `}`. */
function parseDictEntry(sig: string, at: number, arrays: number, structs: number): [TypeNode, number] {
  if (structs + 1 > MAX_STRUCT_DEPTH) throw new DBusWireError('structs nested too deeply');
  const keyCode = sig[at + 1];
  if (keyCode === undefined || !isBasic(keyCode)) throw new DBusWireError('a dict entry key must be a basic type');
  const [value, next] = parseOne(sig, at + 2, arrays, structs + 1);
  if (sig[next] !== '}') throw new DBusWireError('a dict entry holds exactly one key and one value');
  return [{ code: 'a', element: { code: '{', key: { code: keyCode }, value } }, next + 1];
}

/** The signature text of a type tree (for variants we write). */
export function signatureOf(node: TypeNode): string {
  switch (node.code) {
    case 'a':
      return `a${signatureOf(node.element)}`;
    case '(':
      return `(${node.fields.map(signatureOf).join('')})`;
    case '{':
      return `{${node.key.code}${signatureOf(node.value)}}`;
    default:
      return node.code;
  }
}

/** Alignment on the wire, in bytes. */
export function alignmentOf(node: TypeNode): number {
  switch (node.code) {
    case 'y':
    case 'g':
    case 'v':
      return 1;
    case 'n':
    case 'q':
      return 2;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{':
      return 8;
    default:
      return 4;
  }
}
