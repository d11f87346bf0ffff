// Helper process for launch.test.ts: launches `sleep 1000` stopped, prints
// "pid=N state=S" (S as /proc showed it), then behaves as argv[2] says:
//   wait     — never resume; the test signals us
//   exit     — process.exit(0) without resuming
//   handled  — a SIGINT listener of our own is installed first, then wait
import { launchStopped, readStat } from "../../src/target/index.ts";

const mode = process.argv[2] ?? "wait";
if (mode === "handled") {
  process.on("SIGINT", () => {
    console.log("handled SIGINT");
    setTimeout(() => process.exit(7), 50);
  });
}
const l = await launchStopped(["sleep", "1000"], { stdin: "ignore" });
console.log(`pid=${l.pid} state=${readStat(l.pid)?.state}`);
if (mode === "exit") process.exit(0);
setInterval(() => {}, 1000);
