/**
 * Resident memory of another process.
 *
 * @module
 */

/**
 * Resident memory (VmRSS) of process `pid`, in bytes (Linux `/proc`). Read by
 * `cat`: Deno lets only `--allow-all` read `/proc/<pid>` itself, and the bench
 * task runs with `--allow-run`.
 */
export async function rssBytes(pid: number): Promise<number> {
  const { stdout, success } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(new TextDecoder().decode(stdout));
  if (!success || !kib) {
    throw new Error(`Cannot read the resident memory of process ${pid}: no VmRSS`);
  }
  return Number(kib[1]) * 1024;
}
