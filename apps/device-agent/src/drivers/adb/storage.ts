/**
 * Free bytes on a mount from `df <mount>`. Android's toybox prints 1K blocks:
 *
 *     Filesystem      1K-blocks    Used Available Use% Mounted on
 *     /dev/block/dm-8   5772636 2961988   2793264  52% /data
 *
 * and the toolbox of Android 5 and older sizes with units, the mount first:
 *
 *     Filesystem               Size     Used     Free   Blksize
 *     /data                    5.7G     2.8G     2.9G   4096
 */
export function parseFreeBytes(df: string, mount = '/data'): number | undefined {
  const [header, ...rows] = df.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (!header) return undefined;
  const columns = header.trim().split(/\s+/);
  const cells = (rows.find((row) => row.trim().split(/\s+/).includes(mount)) ?? rows.at(-1))
    ?.trim()
    .split(/\s+/);
  if (!cells) return undefined;

  const available = columns.indexOf('Available');
  if (available >= 0) {
    const block = /^(\d+)([Kk]?)-blocks$/.exec(columns[1] ?? '');
    // toybox's default when the header does not say: 1K blocks.
    const blockSize = block ? Number(block[1]) * (block[2] ? 1024 : 1) : 1024;
    const blocks = Number(cells[available]);
    return Number.isFinite(blocks) ? blocks * blockSize : undefined;
  }
  const free = columns.indexOf('Free');
  return free >= 0 ? withUnit(cells[free]) : undefined;
}

const units: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `2.9G` → bytes; toolbox rounds to one decimal, so this is approximate. */
function withUnit(value: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(value ?? '');
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (units[match[2] ?? ''] ?? 1));
}
