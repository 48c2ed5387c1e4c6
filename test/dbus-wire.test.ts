// The D-Bus codec and address parser, property-tested: what the bus sends back is
// input like any other. Marshal-then-unmarshal is the identity on every value of
// every signature; mangled messages decode or fail with a DBusWireError, never
// anything else and never a read past the end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBusAddress } from '../src/store/dbus/address.js';
import { DBusWireError } from '../src/store/dbus/errors.js';
import { parseSignature, signatureOf, type BasicCode, type TypeNode } from '../src/store/dbus/signature.js';
import { decodeMessage, encodeMessage, frameLength, marshal, MessageType, unmarshal, type DBusMessage, type DBusValue } from '../src/store/dbus/wire.js';

/** Runs per property, as in the protocol's property tests: bounded so CI stays fast. */
const FUZZ_RUNS = 2000;

const basicCodes: BasicCode[] = ['y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g'];
const basicType = fc.constantFrom(...basicCodes).map((code): TypeNode & { code: BasicCode } => ({ code }));

const { type: typeArb } = fc.letrec<{ type: TypeNode; array: TypeNode; struct: TypeNode; dict: TypeNode }>((tie) => ({
  type: fc.oneof({ maxDepth: 3, depthIdentifier: 'type' }, basicType, fc.constant<TypeNode>({ code: 'v' }), tie('array'), tie('struct'), tie('dict')),
  array: tie('type').map((element): TypeNode => ({ code: 'a', element })),
  struct: fc.array(tie('type'), { minLength: 1, maxLength: 4 }).map((fields): TypeNode => ({ code: '(', fields })),
  dict: fc.tuple(basicType, tie('type')).map(([key, value]): TypeNode => ({ code: 'a', element: { code: '{', key, value } })),
}));

const text = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0'));
const objectPath = fc.oneof(fc.constant('/'), fc.array(fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`));
const smallSignature = fc.array(basicType, { maxLength: 4 }).map((types) => types.map(signatureOf).join(''));

function valueOf(node: TypeNode): fc.Arbitrary<DBusValue> {
  switch (node.code) {
    case 'y':
      return fc.integer({ min: 0, max: 255 });
    case 'b':
      return fc.boolean();
    case 'n':
      return fc.integer({ min: -0x8000, max: 0x7fff });
    case 'q':
      return fc.integer({ min: 0, max: 0xffff });
    case 'i':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'u':
    case 'h':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'x':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 't':
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case 'd':
      return fc.double();
    case 's':
      return text;
    case 'o':
      return objectPath;
    case 'g':
      return smallSignature;
    case 'v':
      return basicType.chain((inner) => valueOf(inner).map((value) => ({ signature: inner.code, value })));
    case 'a':
      return node.element.code === 'y' ? fc.uint8Array({ maxLength: 16 }) : fc.array(valueOf(node.element), { maxLength: 3 });
    case '(':
      return fc.tuple(...node.fields.map(valueOf));
    case '{':
      return fc.tuple(valueOf(node.key), valueOf(node.value));
  }
}

const typedValues = fc
  .array(typeArb, { minLength: 1, maxLength: 3 })
  .map((types) => ({ types, signature: types.map(signatureOf).join('') }))
  .filter(({ signature }) => signature.length <= 255)
  .chain(({ types, signature }) => fc.tuple(...types.map(valueOf)).map((values) => ({ signature, values: values as DBusValue[] })));

const message = fc.record({
  type: fc.constantFrom(MessageType.MethodCall, MessageType.MethodReturn, MessageType.Error, MessageType.Signal),
  serial: fc.integer({ min: 1, max: 0xffffffff }),
  path: objectPath,
  interface: fc.constant('org.example.Iface'),
  member: fc.constant('Member'),
  errorName: fc.constant('org.example.Error.Failed'),
  replySerial: fc.integer({ min: 1, max: 0xffffffff }),
  sender: fc.constant(':1.7'),
  body: typedValues,
}).map(({ body, ...m }): DBusMessage => ({ ...m, flags: 0, signature: body.signature, body: body.values }));

function wireErrorOrValue(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DBusWireError);
  }
}

describe('D-Bus wire format', () => {
  it('unmarshal(marshal(values)) gives the values back, for any signature', () => {
    fc.assert(
      fc.property(typedValues, ({ signature, values }) => {
        expect(unmarshal(signature, marshal(signature, values))).toEqual(values);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a whole message survives encode then decode, and frames to its own length', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        expect(frameLength(bytes)).toBe(bytes.length);
        expect(frameLength(bytes.subarray(0, 15))).toBeUndefined();
        const decoded = decodeMessage(bytes);
        expect(decoded).toMatchObject({ type: m.type, serial: m.serial, signature: m.signature });
        expect(decoded.body).toEqual(m.body);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a valid message with bytes changed or cut decodes or fails with a DBusWireError, nothing else', () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(message, mutation, fc.option(fc.nat()), (m, changes, cut) => {
        const bytes = new Uint8Array(encodeMessage(m));
        for (const [at, byte] of changes) bytes[at % bytes.length] = byte;
        const mangled = cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
        wireErrorOrValue(() => {
          const length = frameLength(mangled);
          if (length !== undefined && length <= mangled.length) decodeMessage(mangled.subarray(0, length));
        });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('any bytes under any signature unmarshal or fail with a DBusWireError', () => {
    fc.assert(
      fc.property(typedValues, fc.uint8Array({ maxLength: 256 }), ({ signature }, bytes) => {
        wireErrorOrValue(() => unmarshal(signature, bytes));
        wireErrorOrValue(() => unmarshal(signature, bytes, false));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('reads big-endian messages too', () => {
    // Hello's reply from a big-endian bus: body "s" = ":1.5".
    const body = [0, 0, 0, 4, ...Buffer.from(':1.5'), 0];
    const bytes = new Uint8Array([
      ...[0x42, 2, 0, 1], ...[0, 0, 0, body.length], ...[0, 0, 0, 9], ...[0, 0, 0, 15],
      // header fields: (REPLY_SERIAL, variant u 1), (SIGNATURE, variant g "s"), padding
      5, 1, 0x75, 0, 0, 0, 0, 1, 8, 1, 0x67, 0, 1, 0x73, 0, 0,
      ...body,
    ]);
    const decoded = decodeMessage(bytes);
    expect(decoded).toMatchObject({ type: MessageType.MethodReturn, serial: 9, replySerial: 1, signature: 's', body: [':1.5'] });
  });

  it('refuses what the specification forbids', () => {
    expect(() => parseSignature('a'.repeat(33) + 'y')).toThrow(DBusWireError);
    expect(() => parseSignature('('.repeat(33) + 'y' + ')'.repeat(33))).toThrow(DBusWireError);
    expect(() => parseSignature('{sy}')).toThrow(DBusWireError);
    expect(() => parseSignature('a{vy}')).toThrow(DBusWireError);
    expect(() => parseSignature('a{sys}')).toThrow(DBusWireError);
    expect(() => parseSignature('()')).toThrow(DBusWireError);
    expect(() => parseSignature('(y')).toThrow(DBusWireError);
    expect(() => unmarshal('b', new Uint8Array([2, 0, 0, 0]))).toThrow(/boolean/);
    expect(() => unmarshal('s', new Uint8Array([1, 0, 0, 0, 0x61, 1]))).toThrow(/NUL-terminated/);
    expect(() => unmarshal('s', new Uint8Array([1, 0, 0, 0, 0xff, 0]))).toThrow(/UTF-8/);
    expect(() => unmarshal('o', new Uint8Array([2, 0, 0, 0, 0x2f, 0x2f, 0]))).toThrow(/object path/);
    expect(() => unmarshal('ay', new Uint8Array([0xff, 0xff, 0xff, 0x0f]))).toThrow(DBusWireError);
    expect(() => unmarshal('yu', new Uint8Array([1, 9, 0, 0, 1, 0, 0, 0]))).toThrow(/padding/);
    expect(() => unmarshal('y', new Uint8Array([1, 2]))).toThrow(/left over/);
    expect(() => frameLength(new Uint8Array(16).fill(0x41))).toThrow(/byte order/);
    const huge = new Uint8Array(16);
    huge.set([0x6c, 2, 0, 1, 0, 0, 0, 0x10]);
    expect(() => frameLength(huge)).toThrow(/larger than/);
  });
});

describe('bus addresses', () => {
  it('reads unix path and abstract sockets, in order, unescaping values', () => {
    expect(parseBusAddress('unix:path=/run/user/1000/bus')).toEqual([{ kind: 'path', path: '/run/user/1000/bus' }]);
    expect(parseBusAddress('unix:abstract=/tmp/dbus-XYZ,guid=0123456789abcdef0123456789abcdef')).toEqual([{ kind: 'abstract', name: '/tmp/dbus-XYZ' }]);
    expect(parseBusAddress('tcp:host=127.0.0.1,port=1;unix:path=/a%20b/bus;unix:abstract=x')).toEqual([
      { kind: 'path', path: '/a b/bus' },
      { kind: 'abstract', name: 'x' },
    ]);
  });

  it('skips what it cannot open, so the keyring library handles it', () => {
    for (const address of [undefined, '', 'autolaunch:', 'tcp:host=localhost,port=1', 'unix:tmpdir=/tmp', 'unix:path=relative', 'unix:path=/a,abstract=b', 'unix:path=/a%zz', 'unix:path', 'unix:path=/a,path=/b']) {
      expect(parseBusAddress(address)).toEqual([]);
    }
  });

  it('any text parses to sockets or to nothing, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (address) => {
        for (const socket of parseBusAddress(address)) expect(['path', 'abstract']).toContain(socket.kind);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
