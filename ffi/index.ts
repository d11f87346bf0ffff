// ffi/ — the only place in wraith that touches bun:ffi. Everything the rest
// of the project needs from libbpf and libc is exported from here.
//
// Environment: WRAITH_FORCE_EMBEDDED_LIBBPF=1 skips the system libbpf and
// loads the copy embedded in the executable (from .cache/embed/ when running
// from source).
export {
  FfiError, BpfError, PerfError, VerifierError, LibraryError,
  errnoName, errnoOf, errnoText, summarizeVerifierLog, type ErrorDomain,
} from "./errors.ts";
export { libbpfInfo, FORCE_EMBEDDED_ENV, type LibbpfInfo } from "./libbpf.ts";
export {
  createMap, mapUpdate, mapLookup, mapDelete, mapNextKey, mapInfo, mapFdById, closeFd, loadProgram, numPossibleCpus,
  valueBufferSize, objName, linkPerfEvent,
  MAP_TYPES, PROG_TYPES, BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_PERF_EVENT,
  type MapType, type MapSpec, type MapInfo, type ProgType, type ProgramSpec,
} from "./bpf.ts";
export { BpfObject, type BpfLink } from "./bpf-object.ts";
export { attachUprobe, uprobePmuType, uprobeRetprobeBit, type UprobeSpec, type Attachment } from "./uprobe.ts";
export { attachUprobeMulti, uprobeMultiSupport, BPF_TRACE_UPROBE_MULTI, type UprobeMultiSpec, type MultiAttachment } from "./uprobe-multi.ts";
export {
  openRingBuffer, DEFAULT_RINGBUF_IMPL,
  type RingBuffer, type RingBufferImpl, type RingBufferOptions, type RecordHandler,
} from "./ringbuf.ts";
export { probeFeatures, nsPidHelperAvailable, effectiveCaps, hasCap, CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, type FeatureCheck } from "./features.ts";
export { getpid, kill, prctl, monotonicNs, PR_SET_PDEATHSIG } from "./process.ts";
