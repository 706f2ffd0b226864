/**
 * Bytes a row takes in a SQLite file, from the file format (sqlite.org/fileformat2.html), so the
 * cost planner sizes rows from the values the code really writes instead of a guess. A WITHOUT
 * ROWID table is an index b-tree: a cell is its payload size, the record, and a 2-byte pointer;
 * a payload over the page's local maximum keeps a part in the leaf and spills the rest into
 * whole overflow pages (which is why a 2 KB evidence row costs about 5 KB).
 */

const PAGE_BYTES = 4096;
/**
 * Share of a leaf page that holds cells. At steady state each new hour row lands between other
 * rows of the same probe's keys, so leaves split in the middle and sit between half and full;
 * 0.75 is the planning figure. The fleet bench's fresh file, filled almost in key order, showed
 * 0.84 (run_hours payload / page bytes), so the estimate errs on the large side.
 */
const LEAF_FILL = 0.75;
/** Interior b-tree pages on top of the leaves (a few per cent at these fan-outs). */
const INTERIOR_SHARE = 0.02;

type SqlValue = string | number | null;

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128 && bytes < 9) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

function serialType(value: SqlValue): { type: number; bytes: number } {
  if (value === null) return { type: 0, bytes: 0 };
  if (typeof value === "string") {
    const n = new TextEncoder().encode(value).byteLength;
    return { type: 13 + 2 * n, bytes: n };
  }
  if (!Number.isInteger(value)) return { type: 7, bytes: 8 };
  if (value === 0) return { type: 8, bytes: 0 };
  if (value === 1) return { type: 9, bytes: 0 };
  const a = Math.abs(value);
  const bytes = a < 2 ** 7 ? 1 : a < 2 ** 15 ? 2 : a < 2 ** 23 ? 3 : a < 2 ** 31 ? 4 : a < 2 ** 47 ? 6 : 8;
  return { type: { 1: 1, 2: 2, 3: 3, 4: 4, 6: 5, 8: 6 }[bytes]!, bytes };
}

/** The record (header and body) of one row's values, in column order. */
export function recordBytes(values: readonly SqlValue[]): number {
  const types = values.map(serialType);
  const headerTypes = types.reduce((n, t) => n + varintBytes(t.type), 0);
  const header = headerTypes + varintBytes(headerTypes + 1);
  return header + types.reduce((n, t) => n + t.bytes, 0);
}

/** Leaf bytes and overflow pages of one cell of an index b-tree (WITHOUT ROWID table). */
export function cellBytes(payload: number, pageBytes = PAGE_BYTES): { leaf: number; overflowPages: number } {
  const usable = pageBytes;
  const maxLocal = Math.floor(((usable - 12) * 64) / 255) - 23;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  if (payload <= maxLocal) return { leaf: varintBytes(payload) + payload + 2, overflowPages: 0 };
  const k = minLocal + ((payload - minLocal) % (usable - 4));
  const local = k <= maxLocal ? k : minLocal;
  return { leaf: varintBytes(payload) + local + 4 + 2, overflowPages: Math.ceil((payload - local) / (usable - 4)) };
}

/** Bytes of the file one row takes at steady state: its share of partly filled leaves, and its overflow pages. */
export function rowBytesOnDisk(values: readonly SqlValue[], pageBytes = PAGE_BYTES): number {
  const { leaf, overflowPages } = cellBytes(recordBytes(values), pageBytes);
  return (leaf / LEAF_FILL) * (1 + INTERIOR_SHARE) + overflowPages * pageBytes;
}
