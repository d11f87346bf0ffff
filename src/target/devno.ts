// Device numbers: stat()'s st_dev as glibc's makedev packs it, split into the
// major and minor that /proc/PID/maps prints and the kernel packs as
// major << 20 | minor (struct super_block s_dev, what BPF sees).

export interface DevNo {
  major: number;
  minor: number;
}

/** stat's st_dev → (major, minor), as glibc's gnu_dev_major/gnu_dev_minor split it. */
export function splitStatDev(dev: number | bigint): DevNo {
  const d = BigInt(dev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)),
    minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn & 0xffffffffn)),
  };
}

/** (major, minor) as the kernel packs a dev_t: major << 20 | minor (struct super_block s_dev, what BPF sees). */
export function packKernelDev(d: DevNo): number {
  return ((d.major << 20) | d.minor) >>> 0;
}

/** The kernel's dev_t, as BPF reports it, back to (major, minor). */
export function unpackKernelDev(dev: number): DevNo {
  return { major: dev >>> 20, minor: dev & 0xfffff };
}

/**
 * stat's st_dev to the kernel's dev_t, which bpf_get_ns_current_pid_tgid
 * compares with the nsfs superblock's s_dev. Userspace packs major/minor as
 * glibc's makedev (minor's low 8 bits, major's 12, minor's next 12); the
 * kernel as major << 20 | minor. They agree for the small anonymous device
 * numbers nsfs usually gets, and differ from minor 256 on.
 */
export function kernelDev(dev: bigint): bigint {
  return BigInt(packKernelDev(splitStatDev(dev)));
}
