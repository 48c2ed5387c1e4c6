// A keychain binding that fails to load says why: the platform package's own error
// (a missing DLL, a wrong libc), not the generic loader's guess about npm.
import { describe, expect, it } from 'vitest';
import { type KeyringBinding, loadBinding } from '../src/store/keyring-binding.js';

const binding = {} as KeyringBinding;
const generic = new Error(
  'Cannot find native binding. npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828). Please try `npm i` again after removing both package-lock.json and node_modules directory.',
);

function failing(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('loading the keychain binding', () => {
  it("uses this platform's package when it loads", () => {
    const asked: string[] = [];
    expect(loadBinding('win32', 'x64', (name) => (asked.push(name), binding))).toBe(binding);
    expect(asked).toEqual(['@napi-rs/keyring-win32-x64-msvc']);
  });

  it('falls back to the generic loader when the package is not installed (another libc)', () => {
    const load = (name: string) => {
      if (name === '@napi-rs/keyring') return binding;
      throw failing('MODULE_NOT_FOUND', `Cannot find module '${name}'`);
    };
    expect(loadBinding('linux', 'x64', load)).toBe(binding);
  });

  it("says the installed package's own error, in one line, when it cannot be loaded (a DLL Windows lacks)", () => {
    const dlopen = failing('ERR_DLOPEN_FAILED', 'The specified module could not be found.\r\n\\\\?\\C:\\p\\node_modules\\@napi-rs\\keyring-win32-x64-msvc\\keyring.win32-x64-msvc.node');
    const load = (name: string): KeyringBinding => {
      throw name === '@napi-rs/keyring' ? generic : dlopen;
    };
    let message = '';
    try {
      loadBinding('win32', 'x64', load);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      '@napi-rs/keyring-win32-x64-msvc did not load: The specified module could not be found. \\\\?\\C:\\p\\node_modules\\@napi-rs\\keyring-win32-x64-msvc\\keyring.win32-x64-msvc.node',
    );
    expect(message).not.toMatch(/npm has a bug/);
  });

  it("keeps the generic loader's word when the platform package is simply not installed", () => {
    const load = (name: string): KeyringBinding => {
      throw name === '@napi-rs/keyring' ? generic : failing('MODULE_NOT_FOUND', `Cannot find module '${name}'`);
    };
    expect(() => loadBinding('linux', 'x64', load)).toThrowError(generic);
  });
});
