// The test Hrana bridge (test/support/hrana-bridge.ts) in a process of its own, for benchmarks of
// the Worker: in production the Worker's database is Turso, another machine, so the bridge must not
// share the load generator's event loop. Usage: hrana-bridge-process.ts <libSQL file>; prints
// `listening <url>` on stdout and runs until its stdin closes (its parent exiting closes it too).
import { startHranaBridge } from "../../test/support/hrana-bridge.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: hrana-bridge-process.ts <libSQL file>");
  process.exit(2);
}
const bridge = await startHranaBridge(file);
console.log(`listening ${bridge.url}`);
process.stdin.resume();
process.stdin.on("end", () => void bridge.close().then(() => process.exit(0)));
