// `wraith doctor`: can this machine run wraith, and if not, what to do.
import { readFileSync } from "node:fs";
import pc from "picocolors";
import { probeFeatures, type FeatureCheck } from "../../ffi/index.ts";
import { ExitCode } from "./errors.ts";

export function doctor(): number {
  const checks: FeatureCheck[] = [kernel(), ...probeFeatures()];
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
  const c = pc.createColors(color);
  const width = Math.max(...checks.map((k) => k.name.length));
  for (const k of checks) {
    const mark = k.ok ? c.green("ok  ") : c.red("FAIL");
    process.stdout.write(`${mark} ${k.name.padEnd(width)}  ${k.detail}\n`);
    if (!k.ok && k.fix) process.stdout.write(`     ${" ".repeat(width)}  ${c.yellow("fix:")} ${k.fix}\n`);
  }
  return checks.every((k) => k.ok) ? ExitCode.OK : ExitCode.FAILURE;
}

function kernel(): FeatureCheck {
  try {
    const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    const [maj = 0, min = 0] = release.split(".").map((x) => parseInt(x, 10));
    const ok = maj > 5 || (maj === 5 && min >= 8);
    return { name: "kernel", ok, detail: `Linux ${release}`, ...(ok ? {} : { fix: "wraith needs Linux 5.8 or newer (BPF ring buffer)" }) };
  } catch (e) {
    return { name: "kernel", ok: false, detail: (e as Error).message, fix: "is /proc mounted?" };
  }
}
