// Reading a backup, checking it as it goes: the header first, positions strictly increasing, a
// large fact's chunks complete, and at the end the trailer's counts and sha256 against what was
// read. The trailer is handed over only once it matched, so a consumer that acts on the records
// inside a transaction commits only a whole, intact file.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupHeader,
  type BuildLine,
  type CarriedTable,
  type EventLine,
  type GenerationLine,
  isCarriedTable,
  RAW_INLINE_MAX_BYTES,
  splitEventLine,
  type TrailerLine,
} from './format.ts';
import { DamagedBackup, readLines } from './lineFile.ts';

export type BackupRecord =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'event'; event: EventLine; dataJson: string; raw: Buffer | null }
  | { kind: 'raw'; position: number; bytes: Buffer; last: boolean }
  | { kind: 'generation'; line: GenerationLine }
  | { kind: 'build'; line: BuildLine }
  | { kind: 'row'; table: CarriedTable; row: Record<string, unknown> }
  | { kind: 'end'; trailer: TrailerLine };

/** A backup this version cannot read (made by a newer et-ledger): not damage, but refused all the same. */
export class UnreadableBackup extends Error {}

const same = (a: Record<string, number>, b: Record<string, number>) => {
  const ka = Object.keys(a).filter((k) => a[k] !== 0);
  const kb = Object.keys(b).filter((k) => b[k] !== 0);
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
};

export async function* readBackup(input: Readable): AsyncGenerator<BackupRecord> {
  const hash = createHash('sha256');
  let lines = 0;
  let header: BackupHeader | null = null;
  let trailer: TrailerLine | null = null;
  let last = 0;
  let events = 0;
  const types: Record<string, number> = {};
  const rows: Record<string, number> = {};
  let generations = 0;
  let builds = 0;
  // The chunks still owed to the last event: its position, how many, how many bytes.
  let owed: { position: number; chunks: number; bytes: number } | null = null;
  for await (const buf of readLines(input)) {
    if (trailer) {
      if (buf.length === 0) continue;
      throw new DamagedBackup('lines after the trailer');
    }
    let line: { kind?: unknown } & Record<string, unknown>;
    let text: string;
    try {
      text = buf.toString('utf8');
      line = text.startsWith('{"kind":"event"') ? { kind: 'event' } : JSON.parse(text);
    } catch {
      throw new DamagedBackup(`line ${lines + 1} is not JSON`);
    }
    if (line.kind !== 'end') {
      hash.update(buf);
      hash.update('\n');
      lines++;
    }
    if (header === null) {
      if (line.kind !== 'header' || line.format !== BACKUP_FORMAT)
        throw new DamagedBackup('it does not start with an et-ledger backup header');
      const h = line as unknown as BackupHeader;
      if (!(h.formatVersion >= 1 && h.formatVersion <= BACKUP_FORMAT_VERSION))
        throw new UnreadableBackup(
          `it is in backup format ${h.formatVersion} (et-ledger ${h.etLedgerVersion}); this et-ledger reads format ${BACKUP_FORMAT_VERSION}: restore with that version or newer`,
        );
      header = h;
      yield { kind: 'header', header: h };
      continue;
    }
    if (owed && line.kind !== 'raw') throw new DamagedBackup(`the bytes of the event at ${owed.position} stop short`);
    switch (line.kind) {
      case 'event': {
        let split: ReturnType<typeof splitEventLine>;
        try {
          split = splitEventLine(text);
        } catch {
          throw new DamagedBackup(`line ${lines} is not JSON`);
        }
        const e = split.event;
        if (!(Number.isSafeInteger(e.position) && e.position > last))
          throw new DamagedBackup(`positions out of order at line ${lines} (${e.position} after ${last})`);
        last = e.position;
        events++;
        types[e.type] = (types[e.type] ?? 0) + 1;
        const raw = e.raw === null || e.rawChunks ? null : Buffer.from(e.raw, 'base64');
        if (raw !== null && raw.byteLength !== e.rawBytes)
          throw new DamagedBackup(`the bytes of the event at ${e.position} are not the size recorded`);
        if (e.rawChunks) owed = { position: e.position, chunks: e.rawChunks, bytes: e.rawBytes ?? -1 };
        yield { kind: 'event', event: e, dataJson: split.dataJson, raw };
        break;
      }
      case 'raw': {
        const bytes = Buffer.from(String(line.b), 'base64');
        if (!owed || line.position !== owed.position || bytes.byteLength > RAW_INLINE_MAX_BYTES)
          throw new DamagedBackup(`a chunk of bytes at line ${lines} belongs to no event`);
        owed.chunks--;
        owed.bytes -= bytes.byteLength;
        const done = owed.chunks === 0;
        if (done && owed.bytes !== 0)
          throw new DamagedBackup(`the bytes of the event at ${owed.position} are not the size recorded`);
        const position = owed.position;
        if (done) owed = null;
        yield { kind: 'raw', position, bytes, last: done };
        break;
      }
      case 'generation':
        generations++;
        yield { kind: 'generation', line: line as unknown as GenerationLine };
        break;
      case 'build':
        builds++;
        yield { kind: 'build', line: line as unknown as BuildLine };
        break;
      case 'row': {
        const table = String(line.table);
        if (!isCarriedTable(table)) throw new DamagedBackup(`rows of an unknown table ${table}`);
        rows[table] = (rows[table] ?? 0) + 1;
        yield { kind: 'row', table, row: line.row as Record<string, unknown> };
        break;
      }
      case 'end': {
        const t = line as unknown as TrailerLine;
        const digest = hash.digest('hex');
        if (t.sha256 !== digest)
          throw new DamagedBackup(`checksum mismatch (sha256 ${digest}, the trailer says ${t.sha256})`);
        const problems = [
          t.lines !== lines && `${lines} lines, the trailer says ${t.lines}`,
          t.events !== events && `${events} events, the trailer says ${t.events}`,
          t.headPosition !== last && `head ${last}, the trailer says ${t.headPosition}`,
          header.headPosition !== t.headPosition && `the header's head ${header.headPosition} is not the trailer's`,
          header.events !== null && header.events !== events && `the header counts ${header.events} events`,
          !same(types, t.types) && 'the events per type are not the trailer counts',
          header.types !== null && !same(types, header.types) && 'the events per type are not the header counts',
          !same(rows, t.rows) && 'the rows per table are not the trailer counts',
          t.generations !== generations && 'the generations are not the trailer count',
          t.builds !== builds && 'the builds are not the trailer count',
        ].filter((p): p is string => typeof p === 'string');
        if (problems.length > 0) throw new DamagedBackup(problems.join('; '));
        trailer = t;
        yield { kind: 'end', trailer: t };
        break;
      }
      default:
        throw new DamagedBackup(`line ${lines} is of no known kind (${JSON.stringify(line.kind)})`);
    }
  }
  if (header === null) throw new DamagedBackup('it is empty');
  if (trailer === null) throw new DamagedBackup('it has no trailer: the file is cut off');
}

/** Reads a whole backup, checking it; returns its header and trailer. */
export async function verifyBackup(
  input: Readable,
  on: { header?: (header: BackupHeader) => void; event?: (position: number) => void } = {},
): Promise<{ header: BackupHeader; trailer: TrailerLine }> {
  let header: BackupHeader | null = null;
  let trailer: TrailerLine | null = null;
  for await (const r of readBackup(input)) {
    if (r.kind === 'header') {
      header = r.header;
      on.header?.(r.header);
    } else if (r.kind === 'event') on.event?.(r.event.position);
    else if (r.kind === 'end') trailer = r.trailer;
  }
  // readBackup ends only after a trailer that matched.
  return { header: header!, trailer: trailer! };
}
