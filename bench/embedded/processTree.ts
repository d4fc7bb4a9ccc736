// Memory of a group of processes, read from /proc (Linux): VmRSS of /proc/PID/status and Pss of
// /proc/PID/smaps_rollup. Summed RSS counts a page shared by several processes (PostgreSQL's shared
// buffers, its binary) once per process: the figure the targets name, and an upper bound;
// summed PSS shares each such page out, so it is what the group really holds.
import { readdirSync, readFileSync } from 'node:fs';

export type Footprint = { rssMb: number; pssMb: number; processes: number };

/** The process and every live descendant of it (children of children too). */
export function processTree(root: number): number[] {
  const found: number[] = [];
  const visit = (pid: number) => {
    found.push(pid);
    for (const c of childrenOf(pid)) visit(c);
  };
  if (isRunning(root)) visit(root);
  return found;
}

/** The children of every thread of a process (/proc/PID/task/TID/children, Linux ≥ 3.5). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((c) => c.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** A process's name (/proc/PID/comm), or '' once it is gone. */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * A process's tree split in two: node (the process and any non-PostgreSQL descendant) and the
 * PostgreSQL server it started (the postmaster and its backends: processes named `postgres`).
 * tsx's `esbuild` service (running from sources only; a built install has none) is left out.
 */
export function ownGroups(root: number): { node: number[]; server: number[] } {
  const tree = processTree(root).filter((p) => p === root || commOf(p) !== 'esbuild');
  const isServer = (p: number) => p !== root && commOf(p) === 'postgres';
  return { node: tree.filter((p) => !isServer(p)), server: tree.filter(isServer) };
}

/** Summed memory of these processes (one that exits meanwhile counts nothing). */
export function footprint(pids: readonly number[]): Footprint {
  let rssKb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const pid of pids) {
    try {
      rssKb += kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
      pssKb += kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      processes++;
    } catch {}
  }
  return { rssMb: rssKb / 1024, pssMb: pssKb / 1024, processes };
}

function kb(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Node's own part and the PostgreSQL server's part of a footprint. */
export type Split = { node: Footprint; server: Footprint };

export const total = (s: Split): Footprint => ({
  rssMb: s.node.rssMb + s.server.rssMb,
  pssMb: s.node.pssMb + s.server.pssMb,
  processes: s.node.processes + s.server.processes,
});

export function splitFootprint(node: readonly number[], server: readonly number[]): Split {
  return { node: footprint(node), server: footprint(server) };
}

/** The sample with the largest total RSS from now until stop(), sampled every `everyMs`. */
export function watchPeak(groups: () => { node: number[]; server: number[] }, everyMs = 200): { stop: () => Split } {
  let peak: Split | null = null;
  const sample = () => {
    const g = groups();
    const s = splitFootprint(g.node, g.server);
    if (peak === null || total(s).rssMb > total(peak).rssMb) peak = s;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak!;
    },
  };
}

/** Whether a process is still there (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
