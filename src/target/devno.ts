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
