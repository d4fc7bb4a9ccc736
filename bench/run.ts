// npm run bench -- NAME: runs bench/<NAME>.ts, which prints its figures and ratios against a
// baseline measured in the same run (an absolute time alone means little on a shared machine).
const benches: Record<string, string> = {
  append: './append.ts',
  parse: './parse.ts',
  correlate: './correlate.ts',
  lua: './luaFrame.ts',
  rebuild: './rebuild.ts',
  ingest: './ingest.ts',
  http: './http.ts',
  kafka: './kafka.ts',
  post: './post.ts',
  web: './web.ts',
  export: './export.ts',
  embedded: './embedded.ts',
  idle: './idle.ts',
};

const name = process.argv[2];
if (!name || !benches[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
const mod = (await import(benches[name])) as { run: () => Promise<void> };
await mod.run();
