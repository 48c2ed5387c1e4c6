// GitHub-Authentication-Token-Expiration: "2026-10-07 19:07:53 UTC" or with a
// numeric offset, "2026-10-07 19:07:53 -0700". Pure.

const PATTERN = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (UTC|[+-]\d{4})$/;

/** Unix seconds, or undefined when the header is absent or not in either form. */
export function parseTokenExpiration(header: string | undefined): number | undefined {
  const match = header === undefined ? null : PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, date, time, zone] = match;
  const offset = zone === 'UTC' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
  const ms = Date.parse(`${date}T${time}${offset}`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
