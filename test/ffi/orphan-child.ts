// Run by lifecycle.test.ts: attach a counting uprobe (on a map the parent
// created, found by id), say "ready", then wait to be killed.
import { attachUprobe, loadProgram, mapFdById } from "../../ffi/index.ts";
import { counterProgram } from "./insns.ts";

const [mapId, path, offset] = process.argv.slice(2);
const map = mapFdById(Number(mapId));
const prog = loadProgram({ name: "t_orphan", type: "kprobe", insns: counterProgram(map) });
attachUprobe(prog, { path: path!, offset: Number(offset) });
console.log("ready");
setInterval(() => {}, 1 << 30);
