# hvmloader loading OVMF on an HVM guest, before and after the 2011 move of
# shared_info (seed 000: "Enable UEFI BIOS(OVMF) support in Xen-unstable HVM").
#
# Sources (XEN = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0):
#   XEN:tools/firmware/hvmloader/ovmf.c     (ovmf_load, l.37-42, l.92-114)
#   XEN:tools/firmware/hvmloader/util.c     (mem_hole_alloc l.382-387, get_shared_info l.696-713)
#   XEN:tools/firmware/hvmloader/config.h   (l.67-86)
#   xen-project/xen@cc8cdb7e4735bfd5433820fa714f43c9afafbe4a  shared_info at gpfn 0xfffff
#   xen-project/xen@dc21926aff31c26c2c291fe02ecf7c31e956a921  shared_info from mem_hole_alloc

model hvmloader_ovmf_2008
  width 32
  cite "xen-project/xen@cc8cdb7e4735bfd5433820fa714f43c9afafbe4a (shared_info at gpfn 0xfffff)"

const OVMF_END = 0x100000000                 cite "ovmf.c l.39: OVMF_END"
const LOWCHUNK_BEGIN = 0xF0000               cite "ovmf.c l.40"
const LOWCHUNK_SIZE = 0x10000                cite "ovmf.c l.41"
const RESERVED_MEMORY_DYNAMIC_START = 0xFC100000   cite "config.h l.76"
const RESERVED_MEMORY_DYNAMIC_END = 0xFE000000     cite "config.h l.77"

# The FD comes in 1, 2 and 4 MiB builds (EDK2 OvmfPkgDefines.fdf.inc, FD_SIZE_IN_KB).
param fd_size in {1MiB, 2MiB, 4MiB}

region hole_alloc_area = [RESERVED_MEMORY_DYNAMIC_START, RESERVED_MEMORY_DYNAMIC_END)

stage hvmloader
  # ovmf_load: addr = OVMF_END - roundup(bios_length, 1 MiB)  (ovmf.c l.92-93)
  place ovmf size align_up(fd_size, 1MiB) at OVMF_END - align_up(fd_size, 1MiB) type firmware
  # the last 64 KiB (reset vector part) is also copied below 1 MiB (ovmf.c l.99-102)
  place ovmf_lowchunk size LOWCHUNK_SIZE at LOWCHUNK_BEGIN type firmware
  # before 2011: shared_info mapped at the fixed gpfn 0xfffff (cc8cdb7e47)
  place shared_info size 4KiB at 0xFFFFF000 type shared

model hvmloader_ovmf_2011 extends hvmloader_ovmf_2008
  cite "xen-project/xen@dc21926aff31c26c2c291fe02ecf7c31e956a921 (move shared_info into the mem_hole area)"
stage hvmloader
  # get_shared_info: mem_hole_alloc(1) grows down from RESERVED_MEMORY_DYNAMIC_END
  replace place shared_info size 4KiB topdown within hole_alloc_area align 4KiB avoid all type shared
