// A second test reporter: after the TAP stream, a short list of the tests that failed, with file,
// line and the first lines of the error, so the tail of a long CI log names them.
export default async function* failures(source) {
  const failed = [];
  for await (const ev of source) {
    if (ev.type !== 'test:fail') continue;
    const err = ev.data.details?.error;
    if (err?.failureType === 'subtestsFailed') continue; // its failing subtests are listed themselves
    failed.push(ev.data);
  }
  if (!failed.length) return;
  yield `# ${failed.length} failed:\n`;
  for (const d of failed) {
    const err = d.details?.error;
    const cause = err?.cause ?? err;
    const text = String(cause?.stack ?? cause?.message ?? cause).split('\n').slice(0, 8).join('\n#     ');
    yield `# FAILED ${d.file ?? '?'}:${d.line ?? '?'} ${d.name}\n#     ${text}\n`;
  }
}
