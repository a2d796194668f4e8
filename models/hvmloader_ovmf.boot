# hvmloader loading OVMF on an HVM guest, before and after the 2011 move of
# shared_info (xen-devel, 2011-07-22: "Enable UEFI BIOS(OVMF) support in Xen-unstable HVM").
#
# What is modelled:
#   * libxc's guest physmap (which gfns have a RAM page behind them) as far as
#     OVMF cares: low RAM [0, 0xA0000) + [0xC0000, lowmem_end), the MMIO hole
#     [0xF0000000, 4 GiB) with nothing behind it, and the special pages that
#     libxc populates inside the hole;
#   * ovmf_load(): every page of the destination [4G - roundup(size, 1M), 4G)
#     is populated (mem_hole_populate_ram, "mem_back_ram" in the thread) before
#     the FD is copied, and the last 64 KiB are shadowed at 0xF0000;
#   * shared_info: the fixed gpfn 0xfffff (2008) vs mem_hole_alloc(1) (2011);
#   * (2011 model) the two allocators of the dynamic area
#     [RESERVED_MEMORY_DYNAMIC_START, _END): mem_alloc grows up, mem_hole_alloc
#     grows down, each with its BUG_ON.
#
# Sources (xen-project/xen@c447b7308b unless said; each cite quotes the code):
#   tools/firmware/hvmloader/ovmf.c     (ovmf_load, l.37-40, l.87-117)
#   tools/firmware/hvmloader/util.c     (mem_hole_populate_ram l.336-377,
#                                        mem_hole_alloc l.382-387, mem_alloc,
#                                        get_shared_info l.696-713)
#   tools/firmware/hvmloader/config.h   (l.76-77)
#   xen/include/public/hvm/e820.h       (l.16-19)
#   tools/libs/guest/xg_dom_x86.c       (meminit_hvm l.1474-1520, special pages l.69-73)
#   tools/include/xenguest.h            (l.33-34)
#   xen-project/xen@cc8cdb7e47  shared_info at gpfn 0xfffff
#   xen-project/xen@dc21926aff  shared_info from mem_hole_alloc
#
# LIMITATION: the language has map kinds e820 and efi only. The guest physmap
# (p2m) is written as an e820 map where 'usable' means "a RAM page is mapped
# at this gfn" and 'reserved' means "MMIO hole, nothing behind it". It is not
# the E820 table hvmloader later hands to OVMF.
# LIMITATION: width 32 cannot show high RAM at 4 GiB+; it plays no part here.

model hvmloader_ovmf_2008
  width 32
  cite "xen-project/xen@cc8cdb7e47 'We can access address 0xfffff000 from 32-bit protected mode.'"

const OVMF_END = 0x100000000                 cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (l.38) '#define OVMF_END 0x100000000ULL'"
const LOWCHUNK_BEGIN = 0xF0000               cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (l.39) '#define LOWCHUNK_BEGIN 0x000F0000'"
const LOWCHUNK_SIZE = 0x10000                cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (l.40) '#define LOWCHUNK_SIZE 0x00010000'"
const RESERVED_MEMORY_DYNAMIC_START = 0xFC100000   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/config.h (l.76) '#define RESERVED_MEMORY_DYNAMIC_START 0xFC100000'"
const RESERVED_MEMORY_DYNAMIC_END = 0xFE000000     cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/config.h (l.77) '#define RESERVED_MEMORY_DYNAMIC_END 0xFE000000'"
const HVM_BELOW_4G_MMIO_START = 0xF0000000   cite "xen-project/xen@c447b7308b:xen/include/public/hvm/e820.h (l.16-17) '#define HVM_BELOW_4G_RAM_END 0xF0000000 #define HVM_BELOW_4G_MMIO_START HVM_BELOW_4G_RAM_END'"
# X86_HVM_END_SPECIAL_REGION 0xff000 (pfn), 8 special pages + 8 ioreq-server
# pages below them: [0xFEFF0000, 0xFF000000)
const SPECIAL_PAGES_START = 0xFEFF0000       cite "xen-project/xen@c447b7308b:tools/include/xenguest.h (l.33-34) '#define X86_HVM_NR_SPECIAL_PAGES 8 #define X86_HVM_END_SPECIAL_REGION 0xff000u'; xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (l.72-73) '#define NR_IOREQ_SERVER_PAGES 8 #define ioreq_server_pfn(x) (special_pfn(0) - NR_IOREQ_SERVER_PAGES + (x))'"
const SPECIAL_PAGES_END = 0xFF000000         cite "xen-project/xen@c447b7308b:tools/include/xenguest.h (l.34) '#define X86_HVM_END_SPECIAL_REGION 0xff000u'"

# The FD comes in 1, 2 and 4 MiB builds (EDK2 OvmfPkgDefines.fdf.inc, FD_SIZE_IN_KB).
param fd_size in {1MiB, 2MiB, 4MiB} \
  cite "tianocore/edk2@c5aa7e7d94:OvmfPkg/Include/Fdf/OvmfPkgDefines.fdf.inc (l.29-60) '!if $(FD_SIZE_IN_KB) == 1024' ... '!if $(FD_SIZE_IN_KB) == 2048' ... '!if $(FD_SIZE_IN_KB) == 4096'"
# Guest RAM as configured (memory=). The hvmloader e820 code BUGs below 2 MiB
# of low RAM (e820.c, BUG_ON(low_mem_end < 2MiB)); the upper bound is
# [inferred] a realistic domain. Only its low part matters here.
param mem_size in [16MiB, 64GiB] align 4KiB \
  cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/e820.c (l.264) 'BUG_ON(low_mem_end < MB(2));'"

region hole_alloc_area = [RESERVED_MEMORY_DYNAMIC_START, RESERVED_MEMORY_DYNAMIC_END)
region mmio_hole = [HVM_BELOW_4G_MMIO_START, 4GiB)   cite "xen-project/xen@c447b7308b:xen/include/public/hvm/e820.h (l.17-19) '#define HVM_BELOW_4G_MMIO_LENGTH ((xen_mk_ullong(1) << 32) -' ... 'HVM_BELOW_4G_MMIO_START)'"

# The guest physmap before hvmloader runs. The hole below 4 GiB has nothing
# behind it; RAM and the special pages are laid over it by stage libxc_meminit.
map p2m : e820
  entry [HVM_BELOW_4G_MMIO_START, 4GiB) reserved   cite "xen-project/xen@c447b7308b:tools/libs/light/libxl_dom.c (libxl__build_hvm, l.1141) 'dom->mmio_size = HVM_BELOW_4G_MMIO_LENGTH;': the default"

stage libxc_meminit
  cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (meminit_hvm, l.1474) 'Allocate memory for HVM guest, skipping VGA hole 0xA0000-0xC0000.'"
  # PFNs 0x00-0x9F are populated, then population restarts at PFN 0xC0 (VGA hole skipped)
  place ram_below_vga = [0, 0xA0000) type ram           cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (meminit_hvm, l.1482-1488) 'xen_pfn_t extents[0xa0];' ... 'xch, domid, 0xa0, 0, memflags, extents);'"
  reserve ram_below_vga in p2m as usable
  # lowmem_end = min(mem_size, mmio_start); a larger mmio_hole_memkb only moves
  # mmio_start lower, which changes nothing that the proofs look at [inferred]
  place ram_low = [0xC0000, min(mem_size, HVM_BELOW_4G_MMIO_START)) type ram   cite "xen-project/xen@c447b7308b:tools/libs/light/libxl_dom.c (l.1159-1165) 'lowmem_end = mem_size;' ... 'if (lowmem_end > mmio_start)' ... 'lowmem_end = mmio_start;'; xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (meminit_hvm, l.1517) 'cur_pages = 0xc0;'"
  reserve ram_low in p2m as usable
  # special pages (xenstore, console, ioreq...) are populated inside the hole
  place special_pages = [SPECIAL_PAGES_START, SPECIAL_PAGES_END) type special   cite "xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (l.639) 'special_array[i] = special_pfn(i);'; xen-project/xen@c447b7308b:tools/libs/guest/xg_dom_x86.c (l.691-694) 'ioreq_server_array[i] = ioreq_server_pfn(i);' ... 'xc_domain_populate_physmap_exact(xch, domid, NR_IOREQ_SERVER_PAGES, 0,'"
  reserve special_pages in p2m as usable

stage hvmloader after libxc_meminit
  # ovmf_load: addr = OVMF_END - roundup(bios_length, 1 MiB)  (ovmf.c l.92-93)
  place ovmf size align_up(fd_size, 1MiB) at OVMF_END - align_up(fd_size, 1MiB) type firmware \
    cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (ovmf_load, l.92-93) 'uint64_t addr = OVMF_END - ((bios_length + OVMF_MAXOFFSET) & ~OVMF_MAXOFFSET);'"
  # the last 64 KiB (reset vector part) is also copied below 1 MiB (ovmf.c l.99-102)
  place ovmf_lowchunk size LOWCHUNK_SIZE at LOWCHUNK_BEGIN type firmware \
    cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (ovmf_load, l.99-102) '/* Copy low-reset vector portion. */ memcpy((void *)LOWCHUNK_BEGIN,'"
  # "Ensure we have backing page prior to moving FD": every destination page
  # goes through mem_hole_populate_ram(), which either populates a new page or
  # steals one from the top of RAM and remaps it there, and BUG()s if that
  # fails (util.c l.336-377). The 2011 thread: "we need to ensure those gmfns actually
  # have backing store". The run stops on BUG(), so afterwards every page is RAM.
  reserve ovmf in p2m as usable        cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (ovmf_load, l.104-110) '/* Ensure we have backing page prior to moving FD. */' ... 'mem_hole_populate_ram(mfn, 1);'; xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_populate_ram, l.369-371) 'if ( hypercall_memory_op(XENMEM_add_to_physmap, &xatp) != 0 ) BUG();'"
  # the memcpy of the FD to its destination
  assert ovmf_backed_before_copy: within(ovmf, p2m types {usable})   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/ovmf.c (ovmf_load, l.115-116) '/* Copy FD. */ memcpy((void *)ovmf_config.bios_address, bios_addr, bios_length);'"
  # before 2011: shared_info mapped at the fixed gpfn 0xfffff (cc8cdb7e47)
  place shared_info size 4KiB at 0xFFFFF000 type shared \
    cite "xen-project/xen@cc8cdb7e47 '+ struct shared_info *shared_info = (struct shared_info *)0xfffff000;'"
  # [inferred] not modelled: a steal from low_mem_pgend shrinks low RAM by
  # the pages it moves (util.c l.359-366); nothing in these proofs lives there.

model hvmloader_ovmf_2011 extends hvmloader_ovmf_2008
  cite "xen-project/xen@dc21926aff 'Use mem_hole_alloc() to allocate properly reserved space for the shared-info-page mapping.'"
  cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_alloc, mem_alloc, l.379-408) 'static uint32_t alloc_up = RESERVED_MEMORY_DYNAMIC_START - 1;' ... 'alloc_up = e;'"

# The two cursors of the dynamic area, exactly as util.c keeps them:
#   static uint32_t alloc_up = RESERVED_MEMORY_DYNAMIC_START - 1;  (last byte used)
#   static uint32_t alloc_down = RESERVED_MEMORY_DYNAMIC_END;       (first byte used)
var alloc_up = RESERVED_MEMORY_DYNAMIC_START - 1    cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (l.379) 'static uint32_t alloc_up = RESERVED_MEMORY_DYNAMIC_START - 1;'"
var alloc_down = RESERVED_MEMORY_DYNAMIC_END        cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (l.380) 'static uint32_t alloc_down = RESERVED_MEMORY_DYNAMIC_END;'"
var hole_next = 0                                   # alloc_down after the subtraction, before the BUG_ON
var up_next = 0                                     # s = (alloc_up + align) & ~(align - 1)

# Two mem_alloc() requests, before and after the IGD hole allocation. Callers
# vary; sizes are [inferred] (a request of 0 is a BUG: e = s - 1 < s). The
# domain reaches past the 31 MiB area on purpose, to reach the BUG_ONs.
param size_a in [1, 32MiB]
param size_b in [1, 32MiB]
param align_a in {16, 4KiB}           cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.394-395) 'if ( align < 16 ) align = 16;'"
param align_b in {16, 4KiB}
# IGD passthrough: pci.c does mem_hole_alloc(IGD_OPREGION_PAGES = 3) for an
# Intel VGA device; otherwise no such call (0 pages: a no-op apart from the check).
param igd_pages in {0, 3}             cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/pci.c (l.193) 'igd_opregion_pgbase = mem_hole_alloc(IGD_OPREGION_PAGES);'"

# The BUG_ONs are reachable for requests larger than what is left of the
# 31 MiB area [derived from config.h l.76-77]; hvmloader then stops instead
# of crossing. These asserts say "this BUG_ON does not fire".
expect mem_alloc_a_no_bug violated    cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.400) 'BUG_ON((e < s) || (e >= alloc_down));': size_a may exceed 0xFE000000 - 0xFC100000 - 4 KiB"
expect hole_alloc_igd_no_bug violated cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_alloc, l.385) 'BUG_ON(alloc_up >= alloc_down);': reachable once mem_alloc filled the area"
expect mem_alloc_b_no_bug violated    cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.400) 'BUG_ON((e < s) || (e >= alloc_down));'"

stage hvmloader
  # the fixed 0xFFFFF000 mapping is gone
  delete place shared_info
  # get_shared_info(): mem_hole_alloc(1)   (util.c l.696-713)
  #   alloc_down -= nr_mfns << PAGE_SHIFT; BUG_ON(alloc_up >= alloc_down);
  set hole_next = alloc_down - 4KiB
  assert hole_alloc_shared_info_no_bug: alloc_up < hole_next   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_alloc, l.382-387) 'alloc_down -= nr_mfns << PAGE_SHIFT; BUG_ON(alloc_up >= alloc_down);'"
  assume alloc_up < hole_next          cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_alloc, l.385) 'BUG_ON(alloc_up >= alloc_down);': the run stops here otherwise"
  set alloc_down = hole_next
  place shared_info size 4KiB at alloc_down type shared   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (get_shared_info, l.707) 'xatp.gpfn = mem_hole_alloc(1);'"
  # mem_alloc(size_a, align_a):
  #   s = (alloc_up + align) & ~(align - 1); e = s + size - 1;
  #   BUG_ON((e < s) || (e >= alloc_down)); populate pages up to e; alloc_up = e;
  set up_next = align_up(alloc_up + 1, align_a)
  assert mem_alloc_a_no_bug: up_next + size_a - 1 < alloc_down   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.400) 'BUG_ON((e < s) || (e >= alloc_down));'"
  assume up_next + size_a - 1 < alloc_down
  place dyn_a size size_a at up_next type hvmloader_heap
  set alloc_up = up_next + size_a - 1
  reserve dyn_a in p2m as usable       cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.402-405) 'while ( (alloc_up >> PAGE_SHIFT) != (e >> PAGE_SHIFT) )' ... 'mem_hole_populate_ram(alloc_up >> PAGE_SHIFT, 1);'"
  # pci_setup(): IGD OpRegion, mem_hole_alloc(igd_pages); not populated, the
  # device model maps the OpRegion there
  set hole_next = alloc_down - igd_pages * 4KiB
  assert hole_alloc_igd_no_bug: alloc_up < hole_next   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_hole_alloc, l.385) 'BUG_ON(alloc_up >= alloc_down);'"
  assume alloc_up < hole_next
  set alloc_down = hole_next
  place igd_opregion size igd_pages * 4KiB at alloc_down type opregion
  # a later mem_alloc(size_b, align_b)
  set up_next = align_up(alloc_up + 1, align_b)
  assert mem_alloc_b_no_bug: up_next + size_b - 1 < alloc_down   cite "xen-project/xen@c447b7308b:tools/firmware/hvmloader/util.c (mem_alloc, l.400) 'BUG_ON((e < s) || (e >= alloc_down));'"
  assume up_next + size_b - 1 < alloc_down
  place dyn_b size size_b at up_next type hvmloader_heap
  set alloc_up = up_next + size_b - 1
  reserve dyn_b in p2m as usable
  # [inferred] the mem_hole_alloc BUG_ON would miss a uint32 wrap of
  # 'alloc_down -= nr_mfns << PAGE_SHIFT' (nr_mfns > alloc_down >> 12); the
  # real callers ask for 1 and 3 pages, so the model (unbounded integers,
  # wrap = wellformed finding) does not go there.

# Design alternative argued against in the 2011 thread: load the FD just below 4 GiB
# without backing its gfns with RAM first. Nothing is behind the MMIO hole.
model hvmloader_ovmf_unbacked extends hvmloader_ovmf_2011
  cite "xen-devel post 2011-07-22 'Enable UEFI BIOS(OVMF) support in Xen-unstable HVM' (A. Warkentin): 'we need to ensure those gmfns actually have backing store'"
expect ovmf_backed_before_copy violated   cite "xen-devel post 2011-07-22 'Enable UEFI BIOS(OVMF) support in Xen-unstable HVM' (A. Warkentin): 'the firmware image blob lives < 4GB, so we need to ensure those pages are backed with RAM': the FD destination lies in the MMIO hole, where the guest has no RAM"
stage hvmloader
  delete reserve ovmf
