// Which packages give this machine gnome-keyring-daemon and dbus-daemon, by the
// distribution's /etc/os-release (ID, then ID_LIKE).

const COMMANDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(debian|ubuntu|raspbian|linuxmint|pop|kali)$/, 'sudo apt-get install --no-install-recommends gnome-keyring dbus'],
  [/^(fedora|rhel|centos|rocky|almalinux|ol|amzn)$/, 'sudo dnf install gnome-keyring dbus-daemon dbus-tools'],
  [/^(arch|manjaro|endeavouros)$/, 'sudo pacman -S gnome-keyring dbus'],
  [/^(opensuse|opensuse-leap|opensuse-tumbleweed|suse|sles)$/, 'sudo zypper install gnome-keyring dbus-1'],
  [/^alpine$/, 'sudo apk add gnome-keyring dbus'],
  [/^(gentoo)$/, 'sudo emerge gnome-base/gnome-keyring sys-apps/dbus'],
];

/** The install command for this distribution, from the text of /etc/os-release. */
export function installCommand(osRelease: string | undefined): string {
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(osRelease ?? '')?.[1]?.toLowerCase() ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)].filter(Boolean);
  for (const id of ids) {
    const found = COMMANDS.find(([pattern]) => pattern.test(id));
    if (found) return found[1];
  }
  return 'install gnome-keyring and dbus with your package manager';
}
