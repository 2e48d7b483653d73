/**
 * A folder in the system's temp dir that every grading process of a kit shares, and that anyone
 * may read (the sandbox may run as nobody): `<tmp>/<name>` holding `files`, built aside and
 * renamed into place (a concurrent process sees all of it or none), and kept, so that a process
 * killed before its cleanup leaves nothing new behind. The temp dir is everyone's: an existing
 * folder is used only when this user made it and its files, nobody else can change them, and they
 * hold exactly `files`. Otherwise null: the name is taken by something not to be trusted.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function sharedFolder(name: string, files: Readonly<Record<string, Buffer | string>>): string | null {
  const folder = join(tmpdir(), name);
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  const safe = (st: Stats): boolean => (uid < 0 || st.uid === uid) && (st.mode & 0o022) === 0;
  const usable = (): boolean => {
    try {
      if (!lstatSync(folder).isDirectory() || !safe(lstatSync(folder))) return false;
      return Object.entries(files).every(([path, content]) => {
        for (let d = dirname(join(folder, path)); d !== folder; d = dirname(d)) if (!lstatSync(d).isDirectory() || !safe(lstatSync(d))) return false;
        const st = lstatSync(join(folder, path));
        return st.isFile() && safe(st) && readFileSync(join(folder, path)).equals(Buffer.from(content));
      });
    } catch {
      return false;
    }
  };
  if (usable()) return folder;
  const building = mkdtempSync(join(tmpdir(), `${name}-building-`));
  chmodSync(building, 0o755);
  for (const [path, content] of Object.entries(files)) {
    for (let d = dirname(join(building, path)); d !== building; d = dirname(d)) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o755); // explicitly: the umask may be stricter
    }
    writeFileSync(join(building, path), content);
    chmodSync(join(building, path), 0o644);
  }
  try {
    renameSync(building, folder);
  } catch {
    /* another process was first, or the name is taken: checked below */
  }
  rmSync(building, { recursive: true, force: true });
  return usable() ? folder : null;
}
