# OVMF (OvmfXen) booted as a PVH "kernel" by libxl/libxenguest, through the
# ELF header that EDK2 puts in front of the FD (seed 001: "[RFC] OVMF on PVH",
# A. Perard, xen-devel 2018-08-02).
#
# What is modelled:
#   * the guest's low RAM [0, min(mem, 0xFC000000)) and the PVH hole above it;
#   * xc_dom_build_image(): a page-granular bump allocator (virt_alloc_end)
#     that pads up to the ELF p_paddr, loads the image there, then puts the
#     module (ramdisk=) and finally the HVM start_info segment straight after;
#     its only capacity check is pages vs total_pages;
#   * OVMF's SEC/PEI clobbering its MEMFD work area [0x800000, 0x1300000),
#     where it also keeps the start_info pointer (0x808000).
#
# Sources:
#   XEN  = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0
#   EDK2 = tianocore/edk2@c5aa7e7d94c0e6b3c0202e15dbf7a5c92dd6a01d
#   (line numbers as recorded in /work/shared/domain/boot-facts.md)
#   EDK2:OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc (l.10-40)   one PT_LOAD: p_paddr 0x100000, filesz = memsz = 0x200000, e_entry 0x2FFFD0
#   EDK2:OvmfPkg/OvmfXen.fdf (l.105-131)                       MEMFD [0x800000, 0x1300000)
#   EDK2:OvmfPkg/XenResetVector/Ia32/XenPVHMain.nasm.inc       ebx saved at PVH_SPACE(0) = 0x808000
#   XEN:xen/common/libelf/libelf-dominfo.c (l.475-515)         HVM/PVH: virt_base = 0, so segment = [p_paddr, p_paddr + memsz)
#   XEN:tools/libs/guest/xg_dom_core.c (xc_dom_alloc_segment l.577-611, xc_dom_build_image l.1117-1215,
#                                       xc_dom_chk_alloc_pages l.527-550)
#   XEN:tools/libs/guest/xg_dom_x86.c (alloc_magic_pages_hvm l.635-718)   start_info segment
#   XEN:tools/libs/light/libxl_dom.c (l.1142-1169)              PVH mmio_start = 0xFC000000, lowmem_end = min(mem, mmio_start)
#   XEN:docs/misc/pvh.pandoc                                     ebx = start_info physical address (a 32-bit register)
#
# width 32: the PVH entry gets the start_info address in %ebx, so everything
# the toolstack hands over must lie below 4 GiB (start_info.h: "Xen on x86
# will always try to place all the data below the 4GiB boundary").
# LIMITATION: libxc's check (pages vs total_pages) runs before a segment is
# mapped; here it is an 'assume' right after the placement, so proofs about
# the toolstack's segments use 'at end' (a build that fails boots nothing).

model ovmf_pvh
  width 32
  cite "seed 001 (A. Perard, xen-devel 2018-08-02, '[RFC] OVMF on PVH')"
  cite "tianocore/edk2@c5aa7e7d94c0e6b3c0202e15dbf7a5c92dd6a01d: OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc, OvmfPkg/OvmfXen.fdf"
  cite "xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0: tools/libs/guest/xg_dom_core.c, xg_dom_x86.c, tools/libs/light/libxl_dom.c"

const OVMF_PADDR = 0x100000        cite "XenElfHeader.fdf.inc l.10-40: p_vaddr = p_paddr = 0x100000 (OvmfXenElfHeaderGenerator.c: ovmf_base_address)"
const OVMF_FILESZ = 0x200000       cite "XenElfHeader.fdf.inc l.10-40: p_filesz = p_memsz = 0x200000"
const OVMF_ENTRY = 0x2FFFD0        cite "XenElfHeader.fdf.inc l.10-40: e_entry = base + size - 0x30"
const PVH_MMIO_START = 0xFC000000  cite "libxl_dom.c l.1142-1156: start = min(0xFEFF8000, LAPIC 0xFEE00000, ACPI_INFO 0xFC000000)"
const MEMFD_BASE = 0x800000        cite "OvmfXen.fdf l.105-131 (MEMFD_BASE_ADDRESS, OvmfPkgDefines.fdf.inc l.106)"
const MEMFD_SIZE = 0xB00000        cite "OvmfXen.fdf l.105-131: MEMFD size 0xB00000"
const PVH_SPACE = 0x808000         cite "OvmfXen.fdf: PcdXenPvhStartOfDayStructPtr at MEMFD + 0x8000; XenPVHMain.nasm.inc stores ebx there"
const PAGE = 4KiB

# memory= in MiB: xc_dom_mem_init(dom, mem_mb) sets total_pages = mem_mb << 8
# (xg_dom_core.c). The range is [inferred] realistic.
param mem_size in [16MiB, 64GiB] align 1MiB
# ramdisk= (module 0); 0 = no module. libxc refuses modules larger than
# max_module_size, by default XC_DOM_DECOMPRESS_MAX = 1 GiB (xenguest.h).
param module_size in [0, 1GiB]     cite "xg_dom_core.c xc_dom_build_module: 'module %u image too large' above max_module_size (XC_DOM_DECOMPRESS_MAX, 1 GiB)"
# alloc_magic_pages_hvm: sizeof(hvm_start_info) 56 + 2 modlist entries (32 each)
# + 2 cmdlines of 1024 + e820 entries * 24 + PVH cmdline: at least 2168 bytes
# [derived]; 8 KiB as the top is [inferred] (a long memory map).
param start_info_size in [2168, 8KiB]   cite "xg_dom_x86.c alloc_magic_pages_hvm l.635-718"

# Low RAM: libxl makes [0, lowmem_end) RAM, the hole [0xFC000000, 4G) has none.
region lowram = [0, min(mem_size, PVH_MMIO_START)) type ram   cite "libxl_dom.c l.1159-1169: lowmem_end = min(mem_size, mmio_start)"

# virt_alloc_end starts at virt_base = 0 and only grows: a bump allocator.
# Its range here is low RAM, which libxc itself never checks [inferred, boot-facts §4];
# capacity(guest_segs) states that every segment lies in low RAM.
pool guest_segs = [0, min(mem_size, PVH_MMIO_START)) up   cite "xg_dom_core.c xc_dom_build_image: virt_alloc_end = virt_base (0)"

stage xc_dom_build_image
  cite "xg_dom_core.c xc_dom_build_image l.1117-1215, xc_dom_alloc_segment l.577-611"
  # xc_dom_alloc_pad(dom, kernel_seg.vstart): pages up to the ELF address are
  # counted (and must be page aligned and not below virt_alloc_end)
  place elf_pad size OVMF_PADDR from guest_segs align PAGE type padding   cite "xg_dom_core.c xc_dom_alloc_pad"
  assume elf_pad.end <= mem_size     cite "xg_dom_core.c xc_dom_chk_alloc_pages: pages vs total_pages"
  # the kernel segment [vstart, vend) = the ELF PT_LOAD (libelf-dominfo.c l.475-515)
  place ovmf size align_up(OVMF_FILESZ, PAGE) from guest_segs align PAGE type firmware   cite "xg_dom_elfloader.c l.185-186: kernel segment [virt_kstart, virt_kend)"
  assume ovmf.end <= mem_size        cite "xc_dom_chk_alloc_pages"
  # xc_dom_seg_to_ptr() maps the segment's gfns to copy the image: they must be RAM
  assert ovmf_seg_backed: within(ovmf, lowram)   cite "seed 001: 'libxc will not be able to do anything because there is no RAM'"
  free elf_pad                       # nothing is written there; only the cursor moved
  # module 0 (ramdisk), page granular, at the cursor
  place module size align_up(module_size, PAGE) from guest_segs align PAGE type module   cite "xg_dom_core.c xc_dom_build_module -> xc_dom_alloc_segment(start = 0)"
  assume module.end <= mem_size      cite "xc_dom_chk_alloc_pages"

stage alloc_magic_pages_hvm after xc_dom_build_image
  cite "xg_dom_x86.c alloc_magic_pages_hvm l.635-718: the 'HVM start info' segment"
  place start_info size align_up(start_info_size, PAGE) from guest_segs align PAGE type start_info
  assume start_info.end <= mem_size  cite "xc_dom_chk_alloc_pages"

stage ovmf_sec after alloc_magic_pages_hvm
  cite "XenResetVector/Ia32/XenPVHMain.nasm.inc; OvmfXen.fdf l.105-131"
  # the PVH entry stub saves ebx (the start_info address) and uses a tiny stack at PVH_SPACE
  place pvh_space = [PVH_SPACE, PVH_SPACE + PAGE) type firmware_work
  # SEC/PEI then fill the whole MEMFD: page tables, temp RAM, PEIFV, DXEFV
  place memfd = [MEMFD_BASE, MEMFD_BASE + MEMFD_SIZE) type firmware_work

# The configuration of seed 001: "type='pvh' kernel='/path/to/OVMF.fd'", no
# ramdisk. The start_info page then sits at 0x300000, far below the MEMFD.
model ovmf_pvh_no_module extends ovmf_pvh
  cite "seed 001: the config 'type=pvh, kernel=/path/to/OVMF.fd' (no ramdisk)"
param module_size in {0}

# The design seed 001 rejects: an ELF header asking for the usual place of the
# FD, just below 4 GiB (2 MiB image at 0xFFE00000). There is no RAM there
# (the PVH hole starts at 0xFC000000; in 2018 the note said "libxc can not
# map anything past 0xfee00000"), and the start_info segment the toolstack
# bumps in after the image would start at 4 GiB, which %ebx cannot hold.
model ovmf_pvh_below_4g extends ovmf_pvh
  cite "seed 001: 'If I set the ELF header properly so that it is written that the blob must be loaded in the guest RAM just below 4G, libxc will not be able to do anything because there is no RAM'"
  cite "seed 001: 'libxl would try to load other data like the startinfo page past the kernel (OVMF here) and that would mean past 4G'"
const OVMF_PADDR = 0xFFE00000
expect ovmf_seg_backed violated   cite "seed 001: 'there is no RAM, that space is suppose to be a mem hole'"
# The image ends exactly at 4 GiB, so whatever the toolstack bumps in after it
# lies past 4 GiB: the module when a ramdisk is given (line 82), and the
# start_info page when none is (line 87; with a module, start_info is computed
# from the module's end, so that one cause is reported once, at line 82).
expect region@L82 violated        cite "seed 001: 'libxl would try to load other data like the startinfo page past the kernel (OVMF here) and that would mean past 4G'"
expect region@L87 violated        cite "seed 001: 'the startinfo page past the kernel ... would mean past 4G'"
