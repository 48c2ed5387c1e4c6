// The D-Bus wire format: values and whole messages, both ways. Pure. Decoding treats
// every byte as hostile: lengths, padding, UTF-8, object paths, nesting and header
// fields are all checked, and anything off is a DBusWireError, never a crash or a
// read past the end. We write little-endian; we read either byte order.
import { DBusWireError } from './errors.js';
import { alignmentOf, parseSignature, parseSingleType, type TypeNode } from './signature.js';

/**
 * A value as this codec hands it out: integers of up to 32 bits and doubles as
 * numbers, 64-bit integers as bigints, `ay` as bytes, structs and dict entries as
 * arrays of their fields (a dict is an array of [key, value] pairs).
 */
export type DBusValue = number | bigint | boolean | string | Uint8Array | Variant | readonly DBusValue[];

export interface Variant {
  readonly signature: string;
  readonly value: DBusValue;
}

export const MAX_ARRAY_BYTES = 64 * 1024 * 1024;
/** Far below the specification's 128 MiB: nothing we ask for comes near, and we buffer whole messages. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_VARIANT_DEPTH = 64;

const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export function isObjectPath(text: string): boolean {
  return OBJECT_PATH.test(text);
}

export function variant(signature: string, value: DBusValue): Variant {
  return { signature, value };
}

// ---------------------------------------------------------------- writing

class Writer {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(count: number): number {
    const at = this.length;
    if (at + count > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, at + count));
      grown.set(this.buffer);
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += count;
    return at;
  }

  align(to: number): void {
    const pad = (to - (this.length % to)) % to;
    this.reserve(pad); // fresh bytes are zero
  }

  // reserve() may replace the buffer: call it before reading this.buffer or this.view.
  u8(value: number): void {
    const at = this.reserve(1);
    this.buffer[at] = value;
  }

  u32(value: number): void {
    this.align(4);
    const at = this.reserve(4);
    this.view.setUint32(at, value, true);
  }

  setU32(at: number, value: number): void {
    this.view.setUint32(at, value, true);
  }

  /** Reserves `size` bytes, then lets `set` write them through the (possibly new) view. */
  private put(size: number, set: (view: DataView, at: number) => void): void {
    const at = this.reserve(size);
    set(this.view, at);
  }

  raw(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
  }

  write(node: TypeNode, value: DBusValue, depth: number): void {
    this.align(alignmentOf(node));
    switch (node.code) {
      case 'y':
        return this.u8(integer(value, 0, 0xff));
      case 'b':
        if (typeof value !== 'boolean') throw new TypeError('D-Bus: b needs a boolean');
        return this.u32(value ? 1 : 0);
      case 'n':
        return this.put(2, (v, at) => v.setInt16(at, integer(value, -0x8000, 0x7fff), true));
      case 'q':
        return this.put(2, (v, at) => v.setUint16(at, integer(value, 0, 0xffff), true));
      case 'i':
        return this.put(4, (v, at) => v.setInt32(at, integer(value, -0x80000000, 0x7fffffff), true));
      case 'u':
      case 'h':
        return this.put(4, (v, at) => v.setUint32(at, integer(value, 0, 0xffffffff), true));
      case 'x':
        return this.put(8, (v, at) => v.setBigInt64(at, bigint(value, -(2n ** 63n), 2n ** 63n - 1n), true));
      case 't':
        return this.put(8, (v, at) => v.setBigUint64(at, bigint(value, 0n, 2n ** 64n - 1n), true));
      case 'd':
        if (typeof value !== 'number') throw new TypeError('D-Bus: d needs a number');
        return this.put(8, (v, at) => v.setFloat64(at, value, true));
      case 's':
      case 'o': {
        const text = string(value);
        if (node.code === 'o' && !isObjectPath(text)) throw new TypeError(`D-Bus: not an object path: ${text}`);
        const bytes = encoder.encode(text);
        if (bytes.includes(0)) throw new TypeError('D-Bus: strings cannot hold NUL');
        this.u32(bytes.length);
        this.raw(bytes);
        return this.u8(0);
      }
      case 'g':
        return this.signature(string(value));
      case 'v': {
        if (!isVariant(value)) throw new TypeError('D-Bus: v needs a variant');
        if (depth >= MAX_VARIANT_DEPTH) throw new TypeError('D-Bus: variants nested too deeply');
        const inner = parseSingleType(value.signature);
        this.signature(value.signature);
        return this.write(inner, value.value, depth + 1);
      }
      case '(': {
        if (!Array.isArray(value) || value.length !== node.fields.length) throw new TypeError('D-Bus: struct needs one value per field');
        node.fields.forEach((field, i) => this.write(field, value[i] as DBusValue, depth));
        return;
      }
      case '{': {
        if (!Array.isArray(value) || value.length !== 2) throw new TypeError('D-Bus: dict entry needs [key, value]');
        this.write(node.key, value[0] as DBusValue, depth);
        return this.write(node.value, value[1] as DBusValue, depth);
      }
      case 'a': {
        this.u32(0);
        const lengthAt = this.length - 4;
        this.align(alignmentOf(node.element));
        const start = this.length;
        if (node.element.code === 'y' && value instanceof Uint8Array) this.raw(value);
        else {
          if (!Array.isArray(value)) throw new TypeError('D-Bus: a needs an array');
          for (const item of value as readonly DBusValue[]) this.write(node.element, item, depth);
        }
        const size = this.length - start;
        if (size > MAX_ARRAY_BYTES) throw new TypeError('D-Bus: array too long');
        return this.setU32(lengthAt, size);
      }
    }
  }

  private signature(text: string): void {
    parseSignature(text);
    const bytes = encoder.encode(text);
    this.u8(bytes.length);
    this.raw(bytes);
    this.u8(0);
  }
}

function integer(value: DBusValue, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`D-Bus: expected an integer in [${min}, ${max}]`);
  }
  return value;
}

function bigint(value: DBusValue, min: bigint, max: bigint): bigint {
  if (typeof value !== 'bigint' || value < min || value > max) throw new TypeError('D-Bus: expected a 64-bit bigint');
  return value;
}

function string(value: DBusValue): string {
  if (typeof value !== 'string') throw new TypeError('D-Bus: expected a string');
  return value;
}

function isVariant(value: DBusValue): value is Variant {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Marshals values of a signature, starting at an 8-aligned offset (a body). */
export function marshal(signature: string, values: readonly DBusValue[]): Uint8Array {
  const types = parseSignature(signature);
  if (types.length !== values.length) throw new TypeError(`D-Bus: signature ${signature} needs ${types.length} values, got ${values.length}`);
  const writer = new Writer();
  types.forEach((type, i) => writer.write(type, values[i] as DBusValue, 0));
  return writer.bytes();
}

// ---------------------------------------------------------------- reading

class Reader {
  private readonly view: DataView;
  at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get end(): number {
    return this.bytes.length;
  }

  private take(count: number): number {
    const at = this.at;
    if (at + count > this.bytes.length) throw new DBusWireError('message ends too early');
    this.at += count;
    return at;
  }

  align(to: number): void {
    const pad = (to - (this.at % to)) % to;
    const at = this.take(pad);
    for (let i = at; i < at + pad; i++) if (this.bytes[i] !== 0) throw new DBusWireError('padding is not zero');
  }

  u8(): number {
    return this.bytes[this.take(1)] as number;
  }

  u32(): number {
    this.align(4);
    return this.view.getUint32(this.take(4), this.little);
  }

  read(node: TypeNode, depth: number): DBusValue {
    this.align(alignmentOf(node));
    const view = this.view;
    switch (node.code) {
      case 'y':
        return this.u8();
      case 'b': {
        const value = view.getUint32(this.take(4), this.little);
        if (value > 1) throw new DBusWireError('boolean is neither 0 nor 1');
        return value === 1;
      }
      case 'n':
        return view.getInt16(this.take(2), this.little);
      case 'q':
        return view.getUint16(this.take(2), this.little);
      case 'i':
        return view.getInt32(this.take(4), this.little);
      case 'u':
      case 'h':
        return view.getUint32(this.take(4), this.little);
      case 'x':
        return view.getBigInt64(this.take(8), this.little);
      case 't':
        return view.getBigUint64(this.take(8), this.little);
      case 'd':
        return view.getFloat64(this.take(8), this.little);
      case 's':
      case 'o': {
        const length = view.getUint32(this.take(4), this.little);
        const text = this.text(length);
        if (node.code === 'o' && !isObjectPath(text)) throw new DBusWireError('not a valid object path');
        return text;
      }
      case 'g':
        return this.signature();
      case 'v': {
        if (depth >= MAX_VARIANT_DEPTH) throw new DBusWireError('variants nested too deeply');
        const signature = this.signature();
        return { signature, value: this.read(parseSingleType(signature), depth + 1) };
      }
      case '(':
        return node.fields.map((field) => this.read(field, depth));
      case '{':
        return [this.read(node.key, depth), this.read(node.value, depth)];
      case 'a': {
        const length = view.getUint32(this.take(4), this.little);
        if (length > MAX_ARRAY_BYTES) throw new DBusWireError('array longer than 64 MiB');
        this.align(alignmentOf(node.element));
        const end = this.at + length;
        if (end > this.bytes.length) throw new DBusWireError('array runs past the end of the message');
        if (node.element.code === 'y') return this.bytes.slice(this.take(length), end);
        const items: DBusValue[] = [];
        while (this.at < end) items.push(this.read(node.element, depth));
        if (this.at !== end) throw new DBusWireError('array contents overrun its length');
        return items;
      }
    }
  }

  private text(length: number): string {
    const at = this.take(length + 1);
    if (this.bytes[at + length] !== 0) throw new DBusWireError('string is not NUL-terminated');
    const raw = this.bytes.subarray(at, at + length);
    if (raw.includes(0)) throw new DBusWireError('string holds a NUL');
    try {
      return utf8.decode(raw);
    } catch {
      throw new DBusWireError('string is not valid UTF-8');
    }
  }

  private signature(): string {
    const length = this.u8();
    const text = this.text(length);
    parseSignature(text);
    return text;
  }
}

/** Unmarshals a body of the given signature; every byte must be accounted for. */
export function unmarshal(signature: string, bytes: Uint8Array, littleEndian = true): DBusValue[] {
  const types = parseSignature(signature);
  const reader = new Reader(bytes, littleEndian);
  const values = types.map((type) => reader.read(type, 0));
  if (reader.at !== reader.end) throw new DBusWireError('bytes left over after the body');
  return values;
}

// ---------------------------------------------------------------- messages

export const MessageType = { MethodCall: 1, MethodReturn: 2, Error: 3, Signal: 4 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** NO_REPLY_EXPECTED */
export const FLAG_NO_REPLY = 0x1;

export interface DBusMessage {
  readonly type: MessageType;
  readonly flags: number;
  readonly serial: number;
  readonly path?: string;
  readonly interface?: string;
  readonly member?: string;
  readonly errorName?: string;
  readonly replySerial?: number;
  readonly destination?: string;
  readonly sender?: string;
  /** The body's signature ('' for none). */
  readonly signature: string;
  readonly body: readonly DBusValue[];
}

const FIELDS = {
  path: [1, 'o'],
  interface: [2, 's'],
  member: [3, 's'],
  errorName: [4, 's'],
  replySerial: [5, 'u'],
  destination: [6, 's'],
  sender: [7, 's'],
  signature: [8, 'g'],
} as const;
type FieldName = keyof typeof FIELDS;
const FIELD_BY_CODE = new Map<number, [FieldName, string]>(
  (Object.entries(FIELDS) as Array<[FieldName, readonly [number, string]]>).map(([name, [code, sig]]) => [code, [name, sig]]),
);
const UNIX_FDS = 9;
const HEADER_FIELDS: TypeNode = { code: 'a', element: { code: '(', fields: [{ code: 'y' }, { code: 'v' }] } };

const REQUIRED: Record<MessageType, readonly FieldName[]> = {
  1: ['path', 'member'],
  2: ['replySerial'],
  3: ['errorName', 'replySerial'],
  4: ['path', 'interface', 'member'],
};

export function encodeMessage(message: DBusMessage): Uint8Array {
  const body = marshal(message.signature, message.body);
  const fields: DBusValue[] = [];
  for (const name of Object.keys(FIELDS) as FieldName[]) {
    const value = name === 'signature' ? (message.signature === '' ? undefined : message.signature) : message[name];
    if (value !== undefined) fields.push([FIELDS[name][0], variant(FIELDS[name][1], value)]);
  }
  const writer = new Writer();
  for (const byte of ['l'.charCodeAt(0), message.type, message.flags, 1]) writer.u8(byte);
  writer.u32(body.length);
  writer.u32(message.serial);
  writer.write(HEADER_FIELDS, fields, 0);
  writer.align(8);
  writer.raw(body);
  return writer.bytes();
}

/**
 * How many bytes the message at the start of `bytes` takes, once its 16-byte fixed
 * header is there; undefined until then. Refuses a bad byte order or an oversized message.
 */
export function frameLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 16) return undefined;
  const little = endianness(bytes[0]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const bodyLength = view.getUint32(4, little);
  const fieldsLength = view.getUint32(12, little);
  const total = align8(16 + fieldsLength) + bodyLength;
  if (fieldsLength > MAX_MESSAGE_BYTES || bodyLength > MAX_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
    throw new DBusWireError(`message larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  return total;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function endianness(byte: number | undefined): boolean {
  if (byte === 0x6c) return true; // 'l'
  if (byte === 0x42) return false; // 'B'
  throw new DBusWireError('unknown byte order');
}

/** Decodes exactly one whole message (as framed by frameLength). Unknown types decode; callers ignore them. */
export function decodeMessage(bytes: Uint8Array): DBusMessage & { readonly type: number } {
  const total = frameLength(bytes);
  if (total === undefined || total !== bytes.length) throw new DBusWireError('not exactly one message');
  const little = endianness(bytes[0]);
  const reader = new Reader(bytes, little);
  reader.at = 1;
  const type = reader.u8();
  const flags = reader.u8();
  if (reader.u8() !== 1) throw new DBusWireError('unsupported protocol version');
  const bodyLength = reader.u32();
  const serial = reader.u32();
  if (serial === 0) throw new DBusWireError('serial 0');
  const header: Partial<Record<FieldName, string | number>> = {};
  const seen = new Set<number>();
  for (const field of reader.read(HEADER_FIELDS, 0) as ReadonlyArray<readonly [number, Variant]>) {
    const [code, value] = field;
    if (seen.has(code)) throw new DBusWireError(`header field ${code} appears twice`);
    seen.add(code);
    const known = FIELD_BY_CODE.get(code);
    if (known) {
      const [name, signature] = known;
      if (value.signature !== signature) throw new DBusWireError(`header field ${name} has type ${value.signature}`);
      header[name] = value.value as string | number;
    } else if (code === UNIX_FDS) {
      if (value.signature !== 'u') throw new DBusWireError('header field unix_fds has the wrong type');
    } else if (code === 0) {
      throw new DBusWireError('header field code 0 is invalid');
    } // other codes: ignored, as the specification says
  }
  reader.align(8);
  if (reader.at + bodyLength !== bytes.length) throw new DBusWireError('body length disagrees with the frame');
  const required = REQUIRED[type as MessageType];
  for (const name of required ?? []) {
    if (header[name] === undefined) throw new DBusWireError(`message of type ${type} lacks its ${name}`);
  }
  if (header.replySerial === 0) throw new DBusWireError('reply to serial 0');
  const signature = (header.signature as string | undefined) ?? '';
  const body = unmarshal(signature, bytes.subarray(reader.at), little);
  const message: Record<string, unknown> = { type, flags, serial, signature, body };
  for (const name of Object.keys(header) as FieldName[]) if (name !== 'signature') message[name] = header[name];
  return message as unknown as DBusMessage & { readonly type: number };
}
