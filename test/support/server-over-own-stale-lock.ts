// A server restarted after a crash, as in a container: the killed server left keystep.lock behind,
// and the new process got the same pid (pid 1 in a container, or any deterministic pid). Writes
// that stale lock (holding this very pid) into KEYSTEP_DATA_DIR, then runs the server as
// src/main.ts does. Used by test/cli-server.test.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dataDir = process.env.KEYSTEP_DATA_DIR;
if (!dataDir) throw new Error('KEYSTEP_DATA_DIR must be set');
writeFileSync(path.join(dataDir, 'keystep.lock'), JSON.stringify({ pid: process.pid, role: 'server' }));
await import('../../src/main.js');
