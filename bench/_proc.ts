/**
 * Readings of another process from Linux `/proc`: resident memory and CPU
 * time.
 *
 * @module
 */

/**
 * The text of `/proc/<pid>/<name>`. Read by `cat`: Deno lets only
 * `--allow-all` read `/proc/<pid>` itself, and the bench task runs with
 * `--allow-run`.
 */
async function procFile(pid: number, name: string): Promise<string> {
  const { stdout, success } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/${name}`],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`Cannot read /proc/${pid}/${name}: is process ${pid} gone?`);
  return new TextDecoder().decode(stdout);
}

/** Resident memory (VmRSS) of process `pid`, in bytes. */
export async function rssBytes(pid: number): Promise<number> {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(await procFile(pid, "status"));
  if (!kib) throw new Error(`Cannot read the resident memory of process ${pid}: no VmRSS`);
  return Number(kib[1]) * 1024;
}

/** CPU seconds (user + system) process `pid` has used. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await procFile(pid, "stat");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

/** `sysconf(_SC_CLK_TCK)`: 100 on Linux everywhere this runs. */
const CLOCK_TICKS = 100;

/**
 * UDP datagrams the kernel dropped for a full receive buffer, machine-wide
 * (`RcvbufErrors` of `/proc/net/snmp`): on loopback, loss a receiver caused
 * by not reading in time, not loss on the way.
 */
export async function udpReceiveBufferDrops(): Promise<number> {
  const { stdout, success } = await new Deno.Command("cat", {
    args: ["/proc/net/snmp"],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error("Cannot read /proc/net/snmp");
  const [names, values] = new TextDecoder().decode(stdout).split("\n")
    .filter((line) => line.startsWith("Udp:")).map((line) => line.split(/\s+/));
  const at = names.indexOf("RcvbufErrors");
  if (at < 0) throw new Error("No RcvbufErrors in /proc/net/snmp");
  return Number(values[at]);
}
