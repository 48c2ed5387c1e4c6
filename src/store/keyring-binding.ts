// Loads @napi-rs/keyring. Its generic loader probes a local .node file and reads
// /usr/bin/ldd to tell musl from glibc before it finds the prebuilt binding; on the
// hot path we ask for this platform's binding package directly (~3 ms less) and fall
// back to the generic loader for anything unusual (musl, new platforms).
import type * as Keyring from '@napi-rs/keyring';

export type KeyringBinding = typeof Keyring;

export function bindingPackage(platform: NodeJS.Platform, arch: string): string | undefined {
  if (platform === 'linux') return `@napi-rs/keyring-linux-${arch}-gnu`;
  if (platform === 'darwin') return `@napi-rs/keyring-darwin-${arch}`;
  if (platform === 'win32') return `@napi-rs/keyring-win32-${arch}-msvc`;
  return undefined;
}

let loaded: KeyringBinding | undefined;

/** Only in the CommonJS bundles (dist/*.cjs), where `require` is real. */
export function keyring(): KeyringBinding {
  loaded ??= loadBinding(process.platform, process.arch, (name) => require(name) as KeyringBinding);
  return loaded;
}

/**
 * This platform's binding package, else the generic loader. When both fail and the
 * package was there but would not load (ERR_DLOPEN_FAILED: a DLL the system lacks,
 * a wrong libc), its own error is the cause; the generic loader would only say
 * "npm has a bug related to optional dependencies".
 */
export function loadBinding(platform: NodeJS.Platform, arch: string, load: (name: string) => KeyringBinding): KeyringBinding {
  const name = bindingPackage(platform, arch);
  let cause: Error | undefined;
  if (name) {
    try {
      return load(name);
    } catch (error) {
      // Not installed for this libc or platform: the generic loader knows more.
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') cause = error as Error;
    }
  }
  try {
    return load('@napi-rs/keyring');
  } catch (error) {
    if (!cause) throw error;
    // Windows' loader message ends in CRLF and the file's path: one line for stderr.
    throw new Error(`${name} did not load: ${cause.message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}`);
  }
}
