// wraith's entry point: parse the command line, run the command, and turn any
// failure into one line on stderr with a documented exit code.
import { readFileSync } from "node:fs";
import pkg from "../../package.json" with { type: "json" };
import { scriptHelp } from "../script/index.ts";
import { parseArgs, type RunOptions } from "./args.ts";
import { doctor } from "./doctor.ts";
import { ExitCode, WraithError, exitCodeFor, formatError, isDebug } from "./errors.ts";
import { helpText } from "./help.ts";
import { manPage } from "./man.ts";
import { runScript, type ScriptSource } from "./run.ts";
import { runDemo } from "./demo.ts";
import { oneShotScript } from "./oneshot.ts";
import { runInfo } from "./info.ts";
import { runWizard } from "./wizard/index.ts";

async function main(argv: string[]): Promise<number> {
  // No arguments on a terminal: the guided wizard; without a terminal, the help below.
  if (argv.length === 0 && process.stdin.isTTY && process.stdout.isTTY) return runWizard();
  const cmd = parseArgs(argv);
  switch (cmd.kind) {
    case "help":
      process.stdout.write(helpText(cmd.topic) + "\n");
      return ExitCode.OK;
    case "version":
      process.stdout.write(`wraith ${pkg.version}\n`);
      return ExitCode.OK;
    case "script-help":
      process.stdout.write(scriptHelp() + "\n");
      return ExitCode.OK;
    case "man":
      process.stdout.write(manPage(pkg.version));
      return ExitCode.OK;
    case "doctor":
      return doctor();
    case "demo":
      return runDemo(cmd.opts);
    case "wizard":
      return runWizard();
    case "info":
      return runInfo(cmd.what, cmd.arg, cmd.opts);
    case "trace":
      return runScript(cmd.opts, { name: "<trace>", text: oneShotScript(cmd.funcs, cmd.prints, cmd.cond) });
    case "run":
      return runScript(cmd.opts, readSource(cmd.opts));
  }
}

function readSource(opts: RunOptions): ScriptSource {
  if (opts.scriptText !== undefined) return { name: "<script>", text: opts.scriptText };
  const file = opts.scriptFile!;
  try {
    return { name: file, text: readFileSync(file, "utf8") };
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new WraithError(`cannot read script file ${file}: ${code === "ENOENT" ? "no such file" : code ?? String(e)}`, ExitCode.USAGE);
  }
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(formatError(err, isDebug(argv)) + "\n");
    process.exit(exitCodeFor(err));
  },
);
