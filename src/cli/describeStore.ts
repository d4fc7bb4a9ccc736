import type { StoreSpec } from '../store/openStore.ts';
import { redact } from '../store/postgresDatabase.ts';

export function describeStore(spec: StoreSpec): string {
  switch (spec.kind) {
    case 'pglite':
      return `pglite:${spec.dir ?? '(memory)'}`;
    case 'embedded':
      return `embedded:${spec.dir} (PostgreSQL run from the folder)`;
    case 'postgres':
      return `postgres:${redact(spec.url)}`;
    case 'eventstoredb':
      return `eventstoredb:${redact(spec.url)} (read models ${redact(spec.readModelsUrl)})`;
  }
}
