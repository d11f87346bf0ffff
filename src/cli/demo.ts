// `wraith demo`: run the demo program embedded in the binary under a sample
// script, so a new user sees wraith work end to end in one command.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunOptions } from "./args.ts";
import { runScript } from "./run.ts";

// Shows what a first script needs: strings and struct fields through
// pointers, a whole struct as gdb prints it, a condition, and a global.
export const DEMO_SCRIPT = `// wraith demo: every request the demo's order desk handles
trace handle_request {
    print "request {} from {} for {}", req.id, req.owner.name, req.path;
    print *req;
    // only the requests that change an order (kind 0 is KIND_GET)
    if req.kind != 0 && starts_with(req.path, "/orders") {
        print "order change: {} of {:s} by user {}", req.kind, req.path, req.owner.id;
    }
}
trace log_slow {
    print "log_slow id={} micros={} (total so far {})", id, micros, handled_total;
}
`;

/** How many requests the demo program handles (its argv[1]); the e2e test counts on it. */
export const DEMO_ROUNDS = 8;

export async function runDemo(opts: RunOptions): Promise<number> {
  // The demo binary is embedded at build time (build.ts stages it); import it
  // only here so other commands never touch it.
  const { default: embedded } = await import("./demo-binary.ts");
  const dir = mkdtempSync(join(tmpdir(), "wraith-demo-"));
  const path = join(dir, "wraith-demo");
  try {
    writeFileSync(path, new Uint8Array(await Bun.file(embedded).arrayBuffer()));
    chmodSync(path, 0o755);
    process.stderr.write(`wraith demo: tracing the demo program with this script:\n\n${DEMO_SCRIPT}\n`);
    return await runScript({ ...opts, launch: [path, String(DEMO_ROUNDS)] }, { name: "<demo>", text: DEMO_SCRIPT });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
