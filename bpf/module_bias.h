/* The one layout of the per-process load-bias map and of the rules sysmon
 * fills it by. Included by sysmon.bpf.c (BPF) and by the layout test (host
 * gcc), which checks src/runtime/bias.ts and src/target/sysmon.ts encode
 * exactly these offsets. Plain C types only, as in sysmon_event.h.
 *
 * The load-bias map is created by wraith's session (ModuleBiasTable) and read
 * by its probe programs (a global of another module: address = link-time
 * address + bias). sysmon writes it too, from inside the process's own mmap
 * and exec, so a process that starts later has its entries before any code
 * of the module runs. */
#ifndef WRAITH_MODULE_BIAS_H
#define WRAITH_MODULE_BIAS_H

/* Load-bias map: key → unsigned long long bias (runtime − link-time address). */
struct module_bias_key {
	unsigned int tgid;   /* host-view process id (bpf_get_current_pid_tgid() >> 32) */
	unsigned int module; /* the module's id, 0 .. modules-1 (src/resolve/linkage.ts) */
};

/* Module ids sysmon handles; exec, fork and exit walk ids 0 .. modules-1
 * (a hash map cannot be iterated cheaply, but the ids are few and dense). */
#define MODULE_BIAS_MAX_MODULES 64
/* Rules: one per PT_LOAD of each module. */
#define MODULE_BIAS_MAX_RULES 1024
/* x86-64 pages: mmap's byte offset >> 12 and vm_pgoff are in these units. */
#define MODULE_BIAS_PAGE_SHIFT 12

/* A mapping of file (dev, ino) whose first byte is file page `pgoff`... */
struct bias_rule_key {
	unsigned long long ino;
	unsigned long long pgoff; /* in 1 << MODULE_BIAS_PAGE_SHIFT byte pages */
	unsigned int dev;         /* kernel encoding, major << 20 | minor (super_block.s_dev) */
	unsigned int pad;         /* zero: part of the hashed key */
};

/* ...starts at link-time address `vaddr` of module `module`: the mapping's
 * runtime start − vaddr is the module's load bias in that process. */
struct bias_rule {
	unsigned long long vaddr;
	unsigned int module;
	unsigned int pad;
};

/* How many module ids the session has (0: sysmon leaves the map alone). */
struct bias_config {
	unsigned int modules;
	unsigned int pad;
};

#endif
