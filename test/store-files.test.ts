// The pieces of the keychain store that are plain logic or plain files.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSecret, encodeSecret } from '../src/secret-codec.js';
import { IndexFile, parseIndex, upsertRow } from '../src/store/index-file.js';

describe('secret codec', () => {
  it('keeps the bare password as the whole secret when there is nothing else', () => {
    expect(encodeSecret({ password: 'ghp_abc' })).toBe('ghp_abc');
    expect(decodeSecret('ghp_abc')).toEqual({ password: 'ghp_abc' });
    expect(decodeSecret('')).toEqual({ password: '' });
  });

  it('round-trips expiry and refresh token as libsecret-style lines after the password', () => {
    const secret = { password: 'p=q', passwordExpiryUtc: 1790000000, oauthRefreshToken: 'ghr_x' };
    expect(encodeSecret(secret)).toBe('p=q\npassword_expiry_utc=1790000000\noauth_refresh_token=ghr_x');
    expect(decodeSecret(encodeSecret(secret))).toEqual(secret);
  });

  it('ignores extra lines it does not understand', () => {
    expect(decodeSecret('pw\ngarbage\npassword_expiry_utc=soon\nother=1')).toEqual({ password: 'pw' });
  });
});

describe('index file', () => {
  const target = { protocol: 'https', host: 'example.com' };

  it('is written atomically with mode 0600 and read back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gcp-index-')), 'state', 'index.json');
    const index = new IndexFile(path);
    expect(index.rows()).toEqual([]);
    index.update((rows) => upsertRow(rows, { target, username: 'a', storedAt: 1 }));
    index.update((rows) => upsertRow(rows, { target, username: 'a', storedAt: 2 }));
    expect(index.rows()).toEqual([{ target, username: 'a', storedAt: 2 }]);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to follow a symlink planted where it goes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-index-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'do not touch\n');
    symlinkSync(victim, join(dir, 'index.json'));
    const index = new IndexFile(join(dir, 'index.json'));
    expect(() => index.rows()).toThrowError(/cannot read/);
    expect(() => index.update((rows) => rows)).toThrowError();
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
  });

  it('a leftover temporary file with our PID in its name does not make the write fail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-index-'));
    const path = join(dir, 'index.json');
    // What a crashed process whose PID came round again leaves behind.
    writeFileSync(`${path}.${process.pid}.tmp`, 'half a file');
    const index = new IndexFile(path);
    index.update((rows) => upsertRow(rows, { target, username: 'u', storedAt: 1 }));
    expect(index.rows()).toHaveLength(1);
  });

  it('removes temporary files a dead writer left more than a minute ago, and no fresh one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-index-'));
    const path = join(dir, 'index.json');
    const old = [`${path}.12345.tmp`, `${path}.abcdef.tmp`];
    for (const file of old) {
      writeFileSync(file, 'x');
      utimesSync(file, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    }
    const fresh = `${path}.999999.tmp`; // another writer, right now
    writeFileSync(fresh, 'x');
    const unrelated = join(dir, 'other.json.1.tmp');
    writeFileSync(unrelated, 'x');
    utimesSync(unrelated, new Date(0), new Date(0));
    new IndexFile(path).update((rows) => upsertRow(rows, { target, username: 'u', storedAt: 1 }));
    expect(readdirSync(dir).sort()).toEqual(['index.json', 'index.json.999999.tmp', 'other.json.1.tmp']);
  });

  it('treats a damaged index as empty rather than failing git', () => {
    expect(parseIndex('{not json')).toEqual([]);
    expect(parseIndex('{"items":[{"username":1}]}')).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'gcp-index-'));
    mkdirSync(join(dir, 's'));
    writeFileSync(join(dir, 's', 'index.json'), '\0\0garbage');
    expect(new IndexFile(join(dir, 's', 'index.json')).rows()).toEqual([]);
  });
});
