// target/: what wraith knows about the processes it traces — their address
// space (/proc/PID/maps → modules → load bias), identity and PID namespace
// views, the path a uprobe needs across mount namespaces, launching a
// command stopped before its first instruction, and noticing exits.
//
// Conventions: PIDs are numbers in our /proc view; addresses, file offsets
// and inodes are bigint; every failure is a TargetError with a one-line
// message saying what happened and what to do.
export { TargetError, type TargetErrorCode } from "./errors.ts";
export {
  computeBias,
  type MapEntry,
  type MapKind,
  type Module,
  moduleAt,
  modules,
  type ModulesOptions,
  pageSize,
  parseMaps,
  parseMapsLine,
  readMaps,
} from "./maps.ts";
export { type ElfSegments, type PtLoad, readPtLoads, type SegmentProvider } from "./phdrs.ts";
export {
  assertProcess,
  INIT_PID_NS_INODE,
  listProcesses,
  nsInode,
  parseStat,
  pidViews,
  type PidViews,
  processExists,
  processInfo,
  type ProcessInfo,
  procRootPrefix,
  readStat,
  tracePathFor,
  userName,
  waitForExit,
  type WaitOptions,
} from "./proc.ts";
export {
  describeExit,
  type ExitStatus,
  type Launched,
  launchStopped,
  type LaunchOptions,
  resolveCommand,
  type ResolveOptions,
  shellStatus,
  type Stdio,
} from "./launch.ts";
