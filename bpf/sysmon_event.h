/* The one layout of a sysmon ring record. Included by sysmon.bpf.c (BPF) and
 * by the layout test (host gcc), which checks src/target/sysmon.ts decodes
 * exactly these offsets. Plain C types only: no kernel or libc headers, so
 * both compilers see the same thing (x86-64 and BPF align these alike). */
#ifndef WRAITH_SYSMON_EVENT_H
#define WRAITH_SYSMON_EVENT_H

enum sysmon_kind {
	SYSMON_EXEC = 1, /* a process image was replaced (execve succeeded) */
	SYSMON_FORK = 2, /* a new process (not a thread) was created */
	SYSMON_EXIT = 3, /* the last thread of a process exited */
	SYSMON_MMAP = 4, /* a file was mapped with PROT_EXEC */
};

#define SYSMON_PATH_MAX 256

struct sysmon_event {
	unsigned int kind;        /* enum sysmon_kind */
	unsigned int tgid;        /* host-view process id (for fork: the child) */
	unsigned int pid;         /* host-view thread id that did it (fork: the child's) */
	unsigned int ppid;        /* fork: the parent's tgid; exec: the thread id before exec; else 0 */
	unsigned long long ino;   /* exec: the new program's inode; mmap: the mapped file's inode */
	unsigned int dev;         /* that file's device, kernel encoding (major << 20 | minor) */
	unsigned int prot;        /* mmap: PROT_* bits */
	unsigned long long addr;  /* mmap: where it was mapped */
	unsigned long long len;   /* mmap: length in bytes */
	unsigned long long pgoff; /* mmap: file offset in pages */
	unsigned long long ts;    /* bpf_ktime_get_ns() */
	char comm[16];            /* the task's comm (exec: the new one) */
	char path[SYSMON_PATH_MAX]; /* exec: the file name given to execve; mmap: the file's last path component */
};

#endif
