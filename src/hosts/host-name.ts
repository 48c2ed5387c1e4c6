// A host as a person or git names it: host[:port], nothing else. Pure.
import { UsageError } from '../errors.js';

export class HostNameError extends UsageError {
  override readonly name = 'HostNameError';
}

const HOST_PORT = /^[A-Za-z0-9][A-Za-z0-9.-]*(?::\d{1,5})?$/;

/** True for a plain host name or IPv4 address with an optional port: no scheme, path, user, space or control character. */
export function isHostName(value: string): boolean {
  if (!HOST_PORT.test(value)) return false;
  const port = value.split(':')[1];
  return port === undefined || (Number(port) > 0 && Number(port) < 65536);
}

/** `--host` takes a bare host[:port]. Lower-cased (ASCII only, as DNS does). */
export function parseHostArgument(value: string): string {
  if (!isHostName(value)) {
    throw new HostNameError(`--host takes a host name such as github.com or ghe.example.com:8443, not ${JSON.stringify(value)}`);
  }
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
