// The committed BPF object (bpf/sysmon.bpf.o, rebuilt by bpf/build.sh). This
// import embeds it in the compiled executable (bun build --compile carries
// files imported `with { type: "file" }`); from source it is the file itself.
import path from "../../bpf/sysmon.bpf.o" with { type: "file" };

export const SYSMON_OBJECT_PATH: string = path;
