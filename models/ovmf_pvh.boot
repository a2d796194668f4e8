# OVMF (OvmfXen) booted as a PVH "kernel" by libxl/libxenguest, through the
# ELF header that EDK2 puts in front of the FD (xen-devel, "[RFC] OVMF on PVH",
# A. Perard, 2018-08-02).
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
# Sources (xen-project/xen@c447b7308b, tianocore/edk2@c5aa7e7d94; each cite quotes
# the code, 'bootspec cite check' checks them):
#   OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc   one PT_LOAD: p_paddr 0x100000, filesz = memsz = 0x200000, e_entry 0x2FFFD0
#   OvmfPkg/OvmfXen.fdf                        MEMFD [0x800000, 0x1300000)
#   OvmfPkg/XenResetVector/Ia32/XenPVHMain.nasm.inc   ebx saved at PVH_SPACE(0) = 0x808000
#   xen/common/libelf/libelf-dominfo.c         HVM/PVH: virt_base = 0, so segment = [p_paddr, p_paddr + memsz)
#   tools/libs/guest/xg_dom_core.c             xc_dom_alloc_segment, xc_dom_build_image, xc_dom_chk_alloc_pages
#   tools/libs/guest/xg_dom_x86.c              alloc_magic_pages_hvm: the start_info segment
#   tools/libs/light/libxl_dom.c               PVH mmio_start = 0xFC000000, lowmem_end = min(mem, mmio_start)
#   docs/misc/pvh.pandoc                       ebx = start_info physical address (a 32-bit register)
#
# width 32: the PVH entry gets the start_info address in %ebx, so everything
# the toolstack hands over must lie below 4 GiB (start_info.h: "Xen on x86
# will always try to place all the data below the 4GiB boundary").
# LIMITATION: libxc's check (pages vs total_pages) runs before a segment is
# mapped; here it is an 'assume' right after the placement, so proofs about
# the toolstack's segments use 'at end' (a build that fails boots nothing).

model ovmf_pvh
  width 32
  cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'If I set the ELF header properly so that it is written that the blob must be loaded in the guest RAM just below 4G'"
  cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc (l.1-2) 'FDF include file that defines a PVH ELF header.'; tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXen.fdf (l.106-108) '[FD.MEMFD] BaseAddress = $(MEMFD_BASE_ADDRESS) Size = 0xB00000'"
  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_alloc_segment, l.577-589) 'start = dom->virt_alloc_end;'; xen-project/xen@c447b7308b:tools/libs/light/libxl_dom.c (l.1159) 'lowmem_end = mem_size;'"

const OVMF_PADDR = 0x100000        cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc (l.16-21) '# - Load segment' ... '0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00,'; tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXenElfHeaderGenerator.c (l.72) 'uint32_t ovmf_base_address = 0x00100000;'"
const OVMF_FILESZ = 0x200000       cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc (l.22-23) '0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00,': p_filesz = p_memsz = 0x200000"
const OVMF_ENTRY = 0x2FFFD0        cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/XenElfHeader.fdf.inc (l.13) '0xd0, 0xff, 0x2f, 0x00, # hdr.e_entry'; tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXenElfHeaderGenerator.c (l.95) 'ovmfxen_pvh_entry_point = ovmf_base_address + ovmf_blob_size - 0x30;'"
const PVH_MMIO_START = 0xFC000000  cite "xen-project/xen@c447b7308b:tools/libs/light/libxl_dom.c (l.1148-1155) 'start = min_t(xen_paddr_t, start, LAPIC_BASE_ADDRESS);' ... 'start = min_t(xen_paddr_t, start, ACPI_INFO_PHYSICAL_ADDRESS);' ... 'dom->mmio_size = GB(4) - start;'; xen-project/xen@c447b7308b:tools/libs/light/libxl_arch.h (l.103) '#define ACPI_INFO_PHYSICAL_ADDRESS 0xfc000000'"
const MEMFD_BASE = 0x800000        cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXen.fdf (l.107) 'BaseAddress = $(MEMFD_BASE_ADDRESS)'; tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/OvmfPkgDefines.fdf.inc (l.106) 'DEFINE MEMFD_BASE_ADDRESS = 0x800000'"
const MEMFD_SIZE = 0xB00000        cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXen.fdf (l.108) 'Size = 0xB00000'"
const PVH_SPACE = 0x808000         cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXen.fdf (l.122-124) '0x008000|0x001000' ... 'PcdXenPvhStartOfDayStructPtr'; tianocore/edk2@c5aa7e7d94:OvmfPkg/XenResetVector/Ia32/XenPVHMain.nasm.inc (l.22) 'mov dword[PVH_SPACE (0)], ebx'"
const PAGE = 4KiB

# memory= in MiB: xc_dom_mem_init(dom, mem_mb) sets total_pages = mem_mb << 8
# (xg_dom_core.c). The range is [inferred] realistic.
param mem_size in [16MiB, 64GiB] align 1MiB \
  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (l.973) 'dom->total_pages = nr_pages;'"
# ramdisk= (module 0); 0 = no module. libxc refuses modules larger than
# max_module_size, by default XC_DOM_DECOMPRESS_MAX = 1 GiB (xenguest.h).
param module_size in [0, 1GiB]     cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_build_module, l.992) '\"module %u image too large\", mod);'; xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (l.762) 'dom->max_module_size = XC_DOM_DECOMPRESS_MAX;'; xen-project/xen@c447b7308b:tools/include/xenguest.h (l.303) '#define XC_DOM_DECOMPRESS_MAX (1024*1024*1024) /* 1GB */'"
# alloc_magic_pages_hvm: sizeof(hvm_start_info) 56 + 2 modlist entries (32 each)
# + 2 cmdlines of 1024 + e820 entries * 24 + PVH cmdline: at least 2168 bytes
# [derived]; 8 KiB as the top is [inferred] (a long memory map).
param start_info_size in [2168, 8KiB]   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (alloc_magic_pages_hvm, l.635-682) 'size_t start_info_size = sizeof(struct hvm_start_info);' ... 'start_info_size +='"

# Low RAM: libxl makes [0, lowmem_end) RAM, the hole [0xFC000000, 4G) has none.
region lowram = [0, min(mem_size, PVH_MMIO_START)) type ram   cite "xen-project/xen@c447b7308b:tools/libs/light/libxl_dom.c (l.1159-1165) 'lowmem_end = mem_size;' ... 'if (lowmem_end > mmio_start)' ... 'lowmem_end = mmio_start;'"

# virt_alloc_end starts at virt_base = 0 and only grows: a bump allocator.
# Its range here is low RAM, which libxc itself never checks [inferred];
# capacity(guest_segs) states that every segment lies in low RAM.
pool guest_segs = [0, min(mem_size, PVH_MMIO_START)) up   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_build_image, l.1129) 'dom->virt_alloc_end = dom->parms->virt_base;'; xen-project/xen@c447b7308b:xen/common/libelf/libelf-dominfo.c (l.482) 'parms->virt_base = 0;'"

stage xc_dom_build_image
  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_build_image, l.1112) 'int xc_dom_build_image(struct xc_dom_image *dom)'; xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_alloc_segment, l.577-589) 'if ( start && xc_dom_alloc_pad(dom, start) )' ... 'start = dom->virt_alloc_end;'"
  # xc_dom_alloc_pad(dom, kernel_seg.vstart): pages up to the ELF address are
  # counted (and must be page aligned and not below virt_alloc_end)
  place elf_pad size OVMF_PADDR from guest_segs align PAGE type padding   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_alloc_pad, l.553-572) 'if ( boundary < dom->virt_alloc_end )' ... 'pages = (boundary - dom->virt_alloc_end) / page_size;'"
  assume elf_pad.end <= mem_size     cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_chk_alloc_pages, l.527-534) 'if ( pages > dom->total_pages ||': pages against total_pages"
  # the kernel segment [vstart, vend) = the ELF PT_LOAD (libelf-dominfo.c l.475-515)
  place ovmf size align_up(OVMF_FILESZ, PAGE) from guest_segs align PAGE type firmware   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_elfloader.c (l.185-186) 'dom->kernel_seg.vstart = dom->parms->virt_kstart; dom->kernel_seg.vend = dom->parms->virt_kend;'"
  assume ovmf.end <= mem_size        cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_chk_alloc_pages, l.532) 'if ( pages > dom->total_pages ||'"
  # xc_dom_seg_to_ptr() maps the segment's gfns to copy the image: they must be RAM
  assert ovmf_seg_backed: within(ovmf, lowram)   cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'libxc will not be able to do anything because there is no RAM'"
  free elf_pad                       # nothing is written there; only the cursor moved
  # module 0 (ramdisk), page granular, at the cursor
  place module size align_up(module_size, PAGE) from guest_segs align PAGE type module   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_alloc_segment, l.589) 'start = dom->virt_alloc_end;': a module segment has no fixed start"
  assume module.end <= mem_size      cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_chk_alloc_pages, l.532) 'if ( pages > dom->total_pages ||'"

stage alloc_magic_pages_hvm after xc_dom_build_image
  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (alloc_magic_pages_hvm, l.714) '\"HVM start info\", 0, start_info_size);'"
  place start_info size align_up(start_info_size, PAGE) from guest_segs align PAGE type start_info
  assume start_info.end <= mem_size  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_core.c (xc_dom_chk_alloc_pages, l.532) 'if ( pages > dom->total_pages ||'"

stage ovmf_sec after alloc_magic_pages_hvm
  cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/XenResetVector/Ia32/XenPVHMain.nasm.inc (l.22-28) 'mov dword[PVH_SPACE (0)], ebx' ... 'mov esp, PVH_SPACE(16) ; create a temporary stack'; tianocore/edk2@c5aa7e7d94:OvmfPkg/OvmfXen.fdf (l.106-108) '[FD.MEMFD]'"
  # the PVH entry stub saves ebx (the start_info address) and uses a tiny stack at PVH_SPACE
  place pvh_space = [PVH_SPACE, PVH_SPACE + PAGE) type firmware_work
  # SEC/PEI then fill the whole MEMFD: page tables, temp RAM, PEIFV, DXEFV
  place memfd = [MEMFD_BASE, MEMFD_BASE + MEMFD_SIZE) type firmware_work

# The configuration of the 2018 thread: "type='pvh' kernel='/path/to/OVMF.fd'", no
# ramdisk. The start_info page then sits at 0x300000, far below the MEMFD.
model ovmf_pvh_no_module extends ovmf_pvh
  cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'type='pvh' kernel='/path/to/OVMF.fd'' (no ramdisk)"
param module_size in {0}

# The design the thread rejects: an ELF header asking for the usual place of the
# FD, just below 4 GiB (2 MiB image at 0xFFE00000). There is no RAM there
# (the PVH hole starts at 0xFC000000; in 2018 the note said "libxc can not
# map anything past 0xfee00000"), and the start_info segment the toolstack
# bumps in after the image would start at 4 GiB, which %ebx cannot hold.
model ovmf_pvh_below_4g extends ovmf_pvh
  cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'If I set the ELF header properly so that it is written that the blob must be loaded in the guest RAM just below 4G, libxc will not be able to do anything because there is no RAM'"
  cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'libxl would try to load other data like the startinfo page past the kernel (OVMF here) and that would mean past 4G'"
const OVMF_PADDR = 0xFFE00000
expect ovmf_seg_backed violated   cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'there is no RAM, that space is suppose to be a mem hole'"
# The image ends exactly at 4 GiB, so whatever the toolstack bumps in after it
# lies past 4 GiB: the module when a ramdisk is given (line 80), and the
# start_info page when none is (line 85; with a module, start_info is computed
# from the module's end, so that one cause is reported once, at line 80).
expect region@L80 violated        cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'libxl would try to load other data like the startinfo page past the kernel (OVMF here) and that would mean past 4G'"
expect region@L85 violated        cite "xen-devel post 2018-08-02 '[RFC] OVMF on PVH' (A. Perard): 'the startinfo page past the' ... 'would mean past 4G'"
