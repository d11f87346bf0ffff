// SPDX-License-Identifier: GPL-2.0
/*
 * sysmon: tells wraith about processes that start, fork, exit and map
 * executable files after it started, so target mode can follow them
 * (load-bias entries, status lines) and libraries loaded by dlopen get their
 * probes attached when they appear.
 *
 * Attach points need no tracefs: BTF-typed tracepoints (tp_btf) for exec,
 * fork and exit, and for sys_exit, where mmap(2) calls that mapped a file
 * executable (ld.so loading libraries, dlopen) are picked out.
 *
 * CO-RE: the kernel structs below declare only the fields we read, under
 * preserve_access_index, so libbpf relocates every offset against the running
 * kernel's BTF at load; there is no vmlinux.h that could drift. Fields that
 * live in anonymous unions in some kernels (file.f_path, dentry.d_name) are
 * found there by libbpf's member matching.
 *
 * Filtering stays in the kernel so a busy machine does not flood the ring:
 * a process is reported only while its tgid is in watched_tgids (userspace
 * adds the -p process; forks inherit it) or when it execs or maps a file
 * whose inode is in watched_inodes (the -t target), which also starts
 * watching it. An exit is reported once per watched process.
 *
 * Load biases: when the session has a load-bias map (a probe reads a global
 * of another module), userspace plugs it into module_bias and lists, in
 * bias_rules, which file page of which module's PT_LOAD sits at which
 * link-time address. The handlers below then keep a followed process's
 * entries exact synchronously, in the process itself, before the syscall
 * returns: mmap of a module writes its entry (before any code of it can
 * run), exec clears the old image's and writes the executable's, fork copies
 * the parent's, exit deletes them. Processes already running when wraith
 * started are filled by userspace from /proc.
 */
#include "sysmon_event.h"
#include "module_bias.h"

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_ARRAY_OF_MAPS 12
#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_ANY 0
#define PROT_EXEC 0x4
#define MAX_ERRNO 4095

typedef unsigned int u32;
typedef unsigned long long u64;

/* Helper ids are kernel ABI (include/uapi/linux/bpf.h, __BPF_FUNC_MAPPER). */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, u32 size) = (void *)16;
static long (*bpf_probe_read_kernel_str)(void *dst, u32 size, const void *unsafe_ptr) = (void *)115;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, u64 size, u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, u64 flags) = (void *)132;
struct task_struct;
struct vm_area_struct;
static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;
static long (*bpf_find_vma)(struct task_struct *task, u64 addr, void *callback_fn, void *callback_ctx, u64 flags) = (void *)180;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
typedef struct { int counter; } atomic_t;
struct signal_struct { atomic_t live; };
struct mm_struct { unsigned long start_code; };
struct task_struct {
	int pid;
	int tgid;
	struct signal_struct *signal;
	struct mm_struct *mm;
};
struct super_block { u32 s_dev; };
struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
};
struct qstr { const unsigned char *name; };
struct dentry { struct qstr d_name; };
struct path { struct dentry *dentry; };
struct file {
	struct inode *f_inode;
	struct path f_path;
};
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_pgoff;
	struct file *vm_file;
};
/* x86-64 only (wraith is): the syscall number and the mmap arguments. */
struct pt_regs {
	unsigned long orig_ax;
	unsigned long dx;
	unsigned long si;
	unsigned long r9;
};
struct linux_binprm {
	struct file *file;
	const char *filename;
};
#pragma clang attribute pop

/* Records for userspace. 256 KiB holds ~780 events: plenty between polls. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} sysmon_events SEC(".maps");

/* Processes being followed: host tgid → 1. Forks inherit; exits remove. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u32);
} watched_tgids SEC(".maps");

/* Files whose exec or executable mapping starts following a process: inode → 1.
 * The inode alone is the key (the device is in the record for userspace to
 * check): overlayfs and friends show userspace a different device than the
 * superblock the kernel sees, while a rare inode collision only costs a
 * record userspace drops. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u64);
	__type(value, u32);
} watched_inodes SEC(".maps");

/* Records the ring had no room for: [0] → count, so losses are visible. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} sysmon_lost SEC(".maps");

/* The session's load-bias map, plugged in by userspace (slot 0; empty: none).
 * An array of maps, not a map of this object, so the map the probes read can
 * be created by the session after sysmon is already loaded and running. The
 * inner definition is only a template the kernel checks the plugged-in map
 * against (type, key and value sizes, flags). */
struct bias_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct module_bias_key));
	__uint(value_size, sizeof(u64));
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct bias_map);
} module_bias SEC(".maps");

/* Where each PT_LOAD of each module of interest starts (module_bias.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MODULE_BIAS_MAX_RULES);
	__type(key, struct bias_rule_key);
	__type(value, struct bias_rule);
} bias_rules SEC(".maps");

/* [0] → how many module ids the load-bias map has entries for. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct bias_config);
} bias_config SEC(".maps");

static int watched_tgid(u32 tgid)
{
	return bpf_map_lookup_elem(&watched_tgids, &tgid) != 0;
}

static int watched_inode(u64 ino)
{
	return bpf_map_lookup_elem(&watched_inodes, &ino) != 0;
}

static void watch(u32 tgid)
{
	u32 one = 1;

	bpf_map_update_elem(&watched_tgids, &tgid, &one, BPF_ANY);
}

/* A zeroed record of `kind`, or 0 (counted as lost) when the ring is full. */
static struct sysmon_event *reserve(u32 kind, u32 tgid, u32 pid)
{
	struct sysmon_event *e = bpf_ringbuf_reserve(&sysmon_events, sizeof(*e), 0);
	if (!e) {
		u32 zero = 0;
		u64 *lost = bpf_map_lookup_elem(&sysmon_lost, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
		return 0;
	}
	/* Reserved memory is not zeroed; userspace must never see stale bytes. */
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tgid = tgid;
	e->pid = pid;
	e->ts = bpf_ktime_get_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static void file_identity(struct sysmon_event *e, struct file *f)
{
	struct inode *inode = f->f_inode;
	e->ino = inode->i_ino;
	e->dev = inode->i_sb->s_dev;
}

/* The load-bias map and its module count, or 0 when there is none. */
static void *bias_table(u32 *modules)
{
	u32 zero = 0;
	struct bias_config *c = bpf_map_lookup_elem(&bias_config, &zero);

	if (!c || c->modules == 0)
		return 0;
	*modules = c->modules < MODULE_BIAS_MAX_MODULES ? c->modules : MODULE_BIAS_MAX_MODULES;
	return bpf_map_lookup_elem(&module_bias, &zero);
}

/* Delete every load bias of `tgid`: the address space they described is gone
 * (exit, exec), or belonged to an earlier process with the same PID. */
static void forget_biases(u32 tgid)
{
	u32 modules;
	void *table = bias_table(&modules);
	struct module_bias_key k = { .tgid = tgid };

	if (!table)
		return;
#pragma clang loop unroll(disable)
	for (u32 m = 0; m < MODULE_BIAS_MAX_MODULES && m < modules; m++) {
		k.module = m;
		bpf_map_delete_elem(table, &k);
	}
}

/* A forked child has its parent's address space: its parent's biases, and no
 * others (entries left by an earlier process with its PID are dropped). */
static void copy_biases(u32 parent, u32 child)
{
	u32 modules;
	void *table = bias_table(&modules);
	struct module_bias_key from = { .tgid = parent }, to = { .tgid = child };

	if (!table)
		return;
#pragma clang loop unroll(disable)
	for (u32 m = 0; m < MODULE_BIAS_MAX_MODULES && m < modules; m++) {
		from.module = to.module = m;
		u64 *bias = bpf_map_lookup_elem(table, &from);
		if (bias) {
			u64 v = *bias;
			bpf_map_update_elem(table, &to, &v, BPF_ANY);
		} else {
			bpf_map_delete_elem(table, &to);
		}
	}
}

/*
 * A mapping puts file page `pgoff` of file (dev, ino) at runtime address
 * `start`; if a rule says that page begins a PT_LOAD of a module of interest,
 * write the module's load bias for `tgid`.
 *
 * Why start − rule.vaddr is the bias: ELF loaders (the kernel's for the
 * executable, ld.so for libraries) map a PT_LOAD with
 *     mmap(bias + ALIGN_DOWN(p_vaddr), ..., offset = ALIGN_DOWN(p_offset))
 * which is possible because p_vaddr ≡ p_offset (mod page size). So the
 * mapping's first byte is file offset pgoff·PAGE = ALIGN_DOWN(p_offset), whose
 * link-time address is p_vaddr − (p_offset − pgoff·PAGE) = ALIGN_DOWN(p_vaddr)
 * (the segment's bytes keep their distance: file offset o ↔ p_vaddr + o −
 * p_offset, extended down to the page start). Userspace stores that address
 * as rule.vaddr, and runtime = link-time + bias gives bias = start −
 * rule.vaddr, exact, whatever page-aligned base ASLR chose. It is the same
 * relation src/target/maps.ts computeBias applies to /proc/PID/maps lines.
 * A mapping of any other page (nobody's PT_LOAD start) finds no rule and
 * writes nothing: a missing entry is "unknown", never a wrong value.
 */
static void note_mapping(u32 tgid, u32 dev, u64 ino, u64 pgoff, u64 start)
{
	u32 modules;
	void *table = bias_table(&modules);

	if (!table)
		return;
	struct bias_rule_key rk = { .ino = ino, .pgoff = pgoff, .dev = dev, .pad = 0 };
	struct bias_rule *r = bpf_map_lookup_elem(&bias_rules, &rk);
	if (!r || r->module >= modules)
		return;
	struct module_bias_key k = { .tgid = tgid, .module = r->module };
	u64 bias = start - r->vaddr;
	bpf_map_update_elem(table, &k, &bias, BPF_ANY);
}

struct found_file {
	u64 ino;
	u32 dev;
	u64 name;     /* kernel address of the file's last path component */
	u64 vm_start; /* the mapping: its start and the file page there */
	u64 vm_pgoff;
};

/* bpf_find_vma callback: the file behind a mapping, if any. */
static long vma_file(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct found_file *f = data;
	struct file *file = vma->vm_file;

	if (!file)
		return 0;
	f->ino = file->f_inode->i_ino;
	f->dev = file->f_inode->i_sb->s_dev;
	f->name = (u64)file->f_path.dentry->d_name.name;
	f->vm_start = vma->vm_start;
	f->vm_pgoff = vma->vm_pgoff;
	return 0;
}

/*
 * The executable's own load bias, for probes in a library that read its
 * globals. The kernel's ELF loader mapped it (no mmap(2) for sysmon_mmap to
 * see); mm->start_code lies in one of its PT_LOAD mappings (the lowest
 * executable one on current kernels, the lowest one on older kernels: either
 * way a mapping the loader made, so vm_start holds file page vm_pgoff and
 * note_mapping's reasoning applies).
 */
static void note_executable(u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct found_file f = {};

	if (!task->mm)
		return;
	if (bpf_find_vma(task, task->mm->start_code, vma_file, &f, 0) != 0 || !f.ino)
		return;
	note_mapping(tgid, f.dev, f.ino, f.vm_pgoff, f.vm_start);
}

/* sched_process_exec(p, old_pid, bprm): after the new image is in place. */
SEC("tp_btf/sched_process_exec")
int sysmon_exec(u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];
	u32 old_pid = (u32)ctx[1];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx[2];
	u32 tgid = p->tgid;
	u64 ino = bprm->file->f_inode->i_ino;

	if (watched_inode(ino))
		watch(tgid);
	else if (!watched_tgid(tgid))
		return 0;
	/* A new address space: the old image's biases are void (this runs in the
	 * process, before the new image's first instruction). */
	forget_biases(tgid);
	note_executable(tgid);
	struct sysmon_event *e = reserve(SYSMON_EXEC, tgid, p->pid);
	if (!e)
		return 0;
	e->ppid = old_pid;
	file_identity(e, bprm->file);
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), bprm->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* sched_process_fork(parent, child): threads share the parent's tgid and are skipped. */
SEC("tp_btf/sched_process_fork")
int sysmon_fork(u64 *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx[0];
	struct task_struct *child = (struct task_struct *)ctx[1];
	u32 ptgid = parent->tgid;
	u32 ctgid = child->tgid;

	if (child->pid != ctgid || !watched_tgid(ptgid))
		return 0;
	watch(ctgid);
	/* Before the child first runs (wake_up_new_task comes after this tracepoint). */
	copy_biases(ptgid, ctgid);
	struct sysmon_event *e = reserve(SYSMON_FORK, ctgid, child->pid);
	if (!e)
		return 0;
	e->ppid = ptgid;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * sched_process_exit(p[, group_dead]): fires for every thread, after the
 * thread has been counted out of signal->live, so live == 0 means the whole
 * process is gone (whichever thread is last; the leader may exit first).
 * Reading live instead of the group_dead argument works on kernels whose
 * tracepoint lacks it. Two threads exiting at once can both see 0; only the
 * one whose delete succeeds reports.
 */
SEC("tp_btf/sched_process_exit")
int sysmon_exit(u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];
	u32 tgid = p->tgid;

	if (p->signal->live.counter != 0)
		return 0;
	if (bpf_map_delete_elem(&watched_tgids, &tgid) != 0)
		return 0;
	forget_biases(tgid); /* no window in which a recycled PID could read them */
	struct sysmon_event *e = reserve(SYSMON_EXIT, tgid, p->pid);
	if (!e)
		return 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * New executable file mappings: mmap(2) returning, on x86-64 (syscall 9; the
 * exec'd program and its interpreter are mapped by the kernel's ELF loader
 * and arrive with the exec event instead). A kernel-function hook (fexit on
 * vm_mmap_pgoff) would see only mmaps, but BPF trampolines are not available
 * everywhere (kernels under lockdown refuse fentry/fexit with EPERM) and
 * kprobes may be compiled out; the sys_exit tracepoint is always there. It
 * fires for every syscall, so the first test is the syscall number: other
 * syscalls cost a load and a compare here, plus the kernel's syscall-tracing
 * path that any sys_exit program turns on, which is why userspace attaches
 * this program only when it needs mappings.
 */
#define NR_MMAP 9

SEC("tp_btf/sys_exit")
int sysmon_mmap(u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	u64 ret = ctx[1];

	if (regs->orig_ax != NR_MMAP)
		return 0;
	if (!(regs->dx & PROT_EXEC) || ret >= (u64)-MAX_ERRNO)
		return 0;
	struct found_file f = {};
	if (bpf_find_vma(bpf_get_current_task_btf(), ret, vma_file, &f, 0) != 0 || !f.ino)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32;
	if (!watched_tgid(tgid)) {
		if (!watched_inode(f.ino))
			return 0;
		watch(tgid);
		forget_biases(tgid); /* anything there is an earlier process's with this PID */
	}
	/* The mapping starts at `ret` with file page r9 >> PAGE_SHIFT (the vma
	 * found may have been merged with a neighbour, so its start may not be). */
	note_mapping(tgid, f.dev, f.ino, regs->r9 >> MODULE_BIAS_PAGE_SHIFT, ret);
	struct sysmon_event *e = reserve(SYSMON_MMAP, tgid, (u32)id);
	if (!e)
		return 0;
	e->ino = f.ino;
	e->dev = f.dev;
	e->prot = regs->dx;
	e->addr = ret;
	e->len = regs->si;
	e->pgoff = regs->r9 >> MODULE_BIAS_PAGE_SHIFT;
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), (const void *)f.name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
