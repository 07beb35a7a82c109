// Case folding: names that differ only in case are one name on a case-insensitive side (Windows,
// macOS by default, IIS and FileZilla Server, SFTP to a Mac). NTFS and APFS fold more than ASCII;
// toLowerCase() after NFC normalisation is the common approximation (as rclone and Unison do).

export function foldCase(path: string): string {
  return /^[\x00-\x7f]*$/.test(path) ? path.toLowerCase() : path.normalize('NFC').toLowerCase();
}

/** Does `name` have a different spelling in the other case (something a probe can ask about)? */
export function swapCase(name: string): string | undefined {
  let out = '';
  for (const ch of name) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += ch === lo ? up : lo;
  }
  return out !== name && foldCase(out) === foldCase(name) ? out : undefined;
}
