import { describe, expect, it } from 'vitest';
import { encodeGitBytes } from '../src/git-bytes.js';
import { formatAttributes, MAX_REQUEST_BYTES, parseAttributes, ProtocolError, single } from '../src/protocol.js';

const parse = (text: string | Buffer) => parseAttributes(typeof text === 'string' ? Buffer.from(text) : text);

describe('parseAttributes', () => {
  it('reads key=value lines up to a blank line, splitting at the first =', () => {
    const a = parse('protocol=https\nhost=example.com\npassword=a=b=c\n\nhost=ignored.example\n');
    expect(single(a, 'protocol')).toBe('https');
    expect(single(a, 'host')).toBe('example.com');
    expect(single(a, 'password')).toBe('a=b=c');
  });

  it('accepts EOF without a final newline', () => {
    expect(single(parse('protocol=https\nhost=example.com'), 'host')).toBe('example.com');
  });

  it('keeps an empty value as present and empty', () => {
    const a = parse('username=\npassword=\n');
    expect(a.get('username')).toBe('');
    expect(a.get('password')).toBe('');
    expect(a.has('path')).toBe(false);
  });

  it('treats a bare CR as data, never as a line break', () => {
    const a = parse('protocol=https\nhost=example.com\rhost=evil.example\n');
    expect(single(a, 'host')).toBe('example.com\rhost=evil.example');
    expect(single(parse('host=github.com\r\n'), 'host')).toBe('github.com\r');
  });

  it('collects key[] lists and resets them on an empty value', () => {
    const a = parse('wwwauth[]=Basic realm="x"\nwwwauth[]=Bearer\ncapability[]=authtype\ncapability[]=\ncapability[]=state\n');
    expect(a.get('wwwauth[]')).toEqual(['Basic realm="x"', 'Bearer']);
    expect(a.get('capability[]')).toEqual(['state']);
  });

  it('keeps unknown attributes without complaint', () => {
    const a = parse('protocol=https\nhost=x\nquit=1\nfuture_thing=whatever\n=novalue\n');
    expect(single(a, 'future_thing')).toBe('whatever');
  });

  it.each([
    ['a line without =', 'protocol=https\nhost\n', /line 2 has no '='/],
    ['a NUL byte', 'protocol=https\nhost=a\0b\n', /NUL/],
    ['a repeated host', 'host=github.com\nhost=evil.example\n', /'host' given more than once/],
    ['more than 1 MiB', 'password=' + 'x'.repeat(MAX_REQUEST_BYTES), /larger than/],
  ])('refuses %s with a ProtocolError', (_label, input, message) => {
    expect(() => parse(input)).toThrowError(ProtocolError);
    expect(() => parse(input)).toThrowError(message);
  });

  it('keeps bytes that are not UTF-8 exactly, as git does: they match only the same bytes', () => {
    const a = parse(Buffer.concat([Buffer.from('protocol=https\nhost=h\nusername='), Buffer.from([0xff]), Buffer.from('\npath=a'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expect(encodeGitBytes(single(a, 'username')!)).toEqual(Buffer.from([0xff]));
    expect(encodeGitBytes(single(a, 'path')!)).toEqual(Buffer.from([0x61, 0xc3, 0x28]));
    // Not the replacement character, nor the Latin-1 reading, nor the valid sequence.
    expect(single(a, 'username')).not.toBe('\ufffd');
    expect(single(a, 'username')).not.toBe('ÿ');
    expect(single(parse(Buffer.from('username=ÿ\n')), 'username')).not.toBe(single(a, 'username'));
  });

  it('never echoes a value in its error message', () => {
    try {
      parse('password=ghp_topsecret\nnoequals_ghp_topsecret\n');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('topsecret');
    }
  });
});

describe('formatAttributes', () => {
  it('writes key=value lines that parse back to the same values', () => {
    const text = formatAttributes([
      ['username', ''],
      ['password', 'p=a ss'],
    ]);
    expect(text).toBe('username=\npassword=p=a ss\n');
    const back = parse(text);
    expect(back.get('username')).toBe('');
    expect(back.get('password')).toBe('p=a ss');
  });

  it('refuses a value that would inject another attribute', () => {
    expect(() => formatAttributes([['username', 'bob\nhost=evil.example']])).toThrowError(ProtocolError);
    expect(() => formatAttributes([['password', 'a\0b']])).toThrowError(ProtocolError);
  });
});
