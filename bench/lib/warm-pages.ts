// Equal memory for every contender of a big-file measurement.
//
// This machine is a VM whose balloon device has free page reporting: about two seconds after the
// guest frees a large block of memory (the previous run's 512 MiB file, removed), the host takes
// the block back, and the next process that fills the page cache with it pays the host's page
// faults as system time — up to ~1.4 s for 512 MiB, against ~0.1 s on memory the guest still has
// (`dd` of 512 MiB: 0.09 s after a warm-up, 0.66–0.79 s after 4 s of rest). Which contender pays
// depended only on how long it took to start (the engine worker's start-up is the longest), so
// the FTP download row swung 0.25–1.4 s while lftp, started within milliseconds of the previous
// removal, did not. A machine without page reporting never pays it.
//
// So right before every timed big-file run, each contender's process side (the bench for the
// anchors and the CLI, the worker for the engine) writes a scratch file a bit larger than the big
// file and removes it: the run then writes into memory the guest holds, whoever it is.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CHUNK = 1 << 20;

/** write `bytes` of zeros to a scratch file in `dir` and remove it (no fsync: page cache only) */
export function warmPages(dir: string, bytes: number): void {
  const file = join(dir, `warm-pages-${process.pid}.tmp`);
  const buf = Buffer.alloc(CHUNK);
  const fd = openSync(file, 'w', 0o600);
  try {
    for (let done = 0; done < bytes; done += CHUNK) writeSync(fd, buf, 0, CHUNK);
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
}
