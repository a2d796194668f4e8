# hvmloader growing the low MMIO hole for large PCI BARs, relocating the guest
# RAM it overlaps to above 4 GiB, and telling the guest about it in the E820:
# the 2015 move of that bookkeeping into adjust_memory_map() lost the high-RAM
# entry it had to create, and the 2016 fix put it back.
#
# Sources (commits of xen-project/xen; line numbers at 24e3e3553b):
#   xen-project/xen@2c4f5125fd5e343604a620bc621848c4bd1e6080  (2015-07-28) "tools/hvmloader: sync
#       memory map[]": adjust_memory_map(), called from pci_setup()
#   xen-project/xen@24e3e3553b105181a471f16a227331bf427aca3d  (2016-03-15) "hvmloader: add high
#       memory e820 region if needed": 'memory_map.nr_map++;'
#   24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.122, l.335-340, l.360-386)
#   24e3e3553b:tools/firmware/hvmloader/e820.c (adjust_memory_map l.63-104,
#       build_e820_table l.160-275)
#   24e3e3553b:tools/firmware/hvmloader/config.h (l.42, l.56, l.67), e820.h (l.18)
#   24e3e3553b:xen/include/public/hvm/e820.h (l.31-33)
#   24e3e3553b:tools/libxl/libxl_dom.c (l.1007-1023)      lowmem_end, highmem_end, mmio_start
#   24e3e3553b:tools/libxl/libxl_x86.c (libxl__arch_domain_construct_memmap)  the guest memory map
#   24e3e3553b:tools/libxc/xc_dom_x86.c (l.575-576)       hvm_info low/high_mem_pgend
#   24e3e3553b:tools/libxl/libxl_dm.c (l.1824-1831)       allow-memory-relocate
#
# What is modelled: an HVM guest with a device model (low RAM starts at 1 MiB in
# the toolstack's map), the default MMIO hole (no mmio_hole= setting, no RDMs),
# OVMF's call build_e820_table(e820, 0, LOWCHUNK_BEGIN), the sum of the BAR sizes
# as one number.
# hvmloader is 32-bit code: 'unsigned long' and 'uint32_t' arithmetic is written
# u32(...) where it can wrap; width 64 holds the RAM relocated above 4 GiB.

model hvmloader_relocate_2015
  width 64
  cite "xen-project/xen@2c4f5125fd5e343604a620bc621848c4bd1e6080:tools/firmware/hvmloader/e820.c (adjust_memory_map) '/* If there was no highmem region, just create one. */' [historical]"
  cite "xen-project/xen@24e3e3553b105181a471f16a227331bf427aca3d:tools/firmware/hvmloader/pci.c (pci_setup) '/* Relocate RAM that overlaps PCI space (in 64k-page chunks). */'"

const PAGE_SHIFT = 12                        cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/config.h (l.42) '#define PAGE_SHIFT 12'"
const HVM_BELOW_4G_MMIO_START = 0xF0000000   cite "xen-project/xen@24e3e3553b:xen/include/public/hvm/e820.h (l.31-32) '#define HVM_BELOW_4G_RAM_END 0xF0000000' ... '#define HVM_BELOW_4G_MMIO_START HVM_BELOW_4G_RAM_END'"
const HVM_BELOW_4G_MMIO_LENGTH = 4GiB - HVM_BELOW_4G_MMIO_START   cite "xen-project/xen@24e3e3553b:xen/include/public/hvm/e820.h (l.33) '((1ULL << 32) - HVM_BELOW_4G_MMIO_START)' [historical]"
const PCI_MEM_END = 0xFC000000               cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/config.h (l.56) '#define PCI_MEM_END 0xfc000000' [historical]"
const RESERVED_MEMBASE = 0xFC000000          cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/config.h (l.67) '#define RESERVED_MEMBASE 0xFC000000'"
const GUEST_LOW_MEM_START_DEFAULT = 0x100000 cite "xen-project/xen@24e3e3553b:tools/libxl/libxl_x86.c (libxl__arch_domain_construct_memmap) 'lowmem_start = dom->device_model ? GUEST_LOW_MEM_START_DEFAULT : 0' [historical]"
const LOWMEM_RESERVED_BASE = 0xA0000         cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (build_e820_table) 'if ( !lowmem_reserved_base ) lowmem_reserved_base = 0xA0000;'"
const LOWCHUNK_BEGIN = 0xF0000               cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/ovmf.c (l.146) 'build_e820_table(e820, 0, LOWCHUNK_BEGIN)'"
const VGA_HOLE_END = 0xC0000                 cite "xen-project/xen@24e3e3553b:tools/libxc/xc_dom_x86.c (meminit_hvm, l.1404) 'Allocate memory for HVM guest, skipping VGA hole 0xA0000-0xC0000.' [historical]"

# memory= (KiB in the config); [inferred] 64 MiB .. 8 GiB, 1 MiB steps.
param mem_size in [64MiB, 8GiB] align 1MiB
# Sum of the sizes of the BARs hvmloader places in the low hole ('mmio_total +=
# bar_sz'). [inferred] up to 3 GiB, 1 MiB steps.
param mmio_total in [0, 3GiB] align 1MiB    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.272) 'mmio_total += bar_sz;'"
# xenstore hvmloader/allow-memory-relocate: libxl writes 1 only for
# qemu-traditional without vNUMA.
param allow_memory_relocate : bool \
  cite "xen-project/xen@24e3e3553b:tools/libxl/libxl_dm.c (l.1824-1831) 'device_model_version==LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL && !libxl__vnuma_configured(b_info)' [historical]"

# libxl__build_hvm: the default hole is 256 MiB below 4 GiB; RAM that does not
# fit below it goes above 4 GiB.
region mmio_hole_default = [(1 << 32) - HVM_BELOW_4G_MMIO_LENGTH, 1 << 32) \
  cite "xen-project/xen@24e3e3553b:tools/libxl/libxl_dom.c (l.1007-1015) 'dom->mmio_size = HVM_BELOW_4G_MMIO_LENGTH; ... mmio_start = (1ull << 32) - dom->mmio_size;' [historical]"

# The guest memory map (XENMEM_memory_map), as the toolstack sets it and as
# hvmloader's memory_map[] holds it: empty until the toolstack stage fills it.
map memory_map : e820 derived
# The E820 table hvmloader hands to the firmware.
map e820 : e820 derived

# hvm_info->low_mem_pgend / high_mem_pgend and pci_mem_start: hvmloader state.
var low_mem_pgend = min(mem_size, mmio_hole_default.start) >> PAGE_SHIFT \
  cite "xen-project/xen@24e3e3553b:tools/libxc/xc_dom_x86.c (l.575) 'hvm_info->low_mem_pgend = dom->lowmem_end >> PAGE_SHIFT;' [historical]"
var high_mem_pgend = (if mem_size > mmio_hole_default.start then (1 << 32) + mem_size - mmio_hole_default.start else 0) >> PAGE_SHIFT \
  cite "xen-project/xen@24e3e3553b:tools/libxc/xc_dom_x86.c (l.576) 'hvm_info->high_mem_pgend = dom->highmem_end >> PAGE_SHIFT;' (libxl_dom.c l.1016-1019 sets highmem_end to 4 GiB + lowmem_end - mmio_start) [historical]"
var pci_mem_start = HVM_BELOW_4G_MMIO_START  cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (l.33) 'unsigned long pci_mem_start = HVM_BELOW_4G_MMIO_START;' [historical]"
var nr_pages = 0
# The RAM the toolstack gave the guest above 1 MiB, as its memory map says.
var ram_given = 0

# build_e820_table, for each of its own reserved entries: 'e820[nr].addr = ...;
# e820[nr].size = ...; e820[nr].type = E820_RESERVED; nr++;'
fragment e820_reserve(r, lo, size)
  place r = [lo, lo + size)
  reserve r in e820 as reserved
end

# libxl__arch_domain_construct_memmap: one low RAM entry from 1 MiB, one high RAM
# entry at 4 GiB when there is high memory. libxc populates the same RAM (and
# [0, 0xA0000)).
stage toolstack
  place tool_low_ram = [GUEST_LOW_MEM_START_DEFAULT, low_mem_pgend << PAGE_SHIFT) \
    cite "xen-project/xen@24e3e3553b:tools/libxl/libxl_x86.c (libxl__arch_domain_construct_memmap) 'e820[nr].addr = lowmem_start; e820[nr].size = dom->lowmem_end - lowmem_start; e820[nr].type = E820_RAM;' [historical]"
  reserve tool_low_ram in memory_map as usable
  place tool_high_ram = [1 << 32, if high_mem_pgend != 0 then high_mem_pgend << PAGE_SHIFT else 1 << 32) \
    cite "xen-project/xen@24e3e3553b:tools/libxl/libxl_x86.c (libxl__arch_domain_construct_memmap) 'if (highmem_size) { e820[nr].addr = ((uint64_t)1 << 32); e820[nr].size = highmem_size; e820[nr].type = E820_RAM; }' [historical]"
  reserve tool_high_ram in memory_map as usable
  set ram_given = sum(e.size for e in memory_map types {usable})

stage pci_setup after toolstack
  # 'while ( (mmio_total > (pci_mem_end - pci_mem_start)) && ((pci_mem_start << 1) != 0)
  #   && (allow_memory_relocate || (((pci_mem_start << 1) >> PAGE_SHIFT) >= low_mem_pgend)) )
  #   pci_mem_start <<= 1;' -- 'unsigned long' is 32 bits: from 0xF0000000 the
  # hole can only double to 0xE0000000, 0xC0000000, 0x80000000; the next shift is 0.
  for i in [0, 4)
    set pci_mem_start = if mmio_total > PCI_MEM_END - pci_mem_start \
        and u32(pci_mem_start << 1) != 0 \
        and (allow_memory_relocate or u32(pci_mem_start << 1) >> PAGE_SHIFT >= low_mem_pgend) \
      then u32(pci_mem_start << 1) else pci_mem_start \
      cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.335-340) 'while ( (mmio_total > (pci_mem_end - pci_mem_start)) && ((pci_mem_start << 1) != 0) && (allow_memory_relocate || (((pci_mem_start << 1) >> PAGE_SHIFT) >= hvm_info->low_mem_pgend)) ) pci_mem_start <<= 1;'"
  end
  # four rounds are enough: the loop condition is false after them
  assert hole_loop_ends: not (mmio_total > PCI_MEM_END - pci_mem_start \
        and u32(pci_mem_start << 1) != 0 \
        and (allow_memory_relocate or u32(pci_mem_start << 1) >> PAGE_SHIFT >= low_mem_pgend)) \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.335-340) '&& ((pci_mem_start << 1) != 0)' -- the 32-bit shift reaches 0 after three doublings"
  # 'while ( (pci_mem_start >> PAGE_SHIFT) < hvm_info->low_mem_pgend ) { nr_pages =
  #   min(low_mem_pgend - (pci_mem_start >> PAGE_SHIFT), (1u << 16) - 1); if ( high_mem_pgend
  #   == 0 ) high_mem_pgend = 1ull << (32 - PAGE_SHIFT); low_mem_pgend -= nr_pages; ...
  #   xatp.gpfn = high_mem_pgend; ... high_mem_pgend += nr_pages; }'
  # At most 0xF0000 - 0x80000 pages move, 0xFFFF at a time: 8 rounds.
  for chunk in [0, 8)
    set nr_pages = if (pci_mem_start >> PAGE_SHIFT) < low_mem_pgend \
      then min(low_mem_pgend - (pci_mem_start >> PAGE_SHIFT), (1 << 16) - 1) else 0 \
      cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.360-366) 'while ( (pci_mem_start >> PAGE_SHIFT) < hvm_info->low_mem_pgend ) {' ... 'unsigned int nr_pages = min_t( unsigned int, hvm_info->low_mem_pgend - (pci_mem_start >> PAGE_SHIFT), (1u << 16) - 1);'"
    set high_mem_pgend = if nr_pages != 0 and high_mem_pgend == 0 then 1 << (32 - PAGE_SHIFT) else high_mem_pgend \
      cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.367-369) 'if ( hvm_info->high_mem_pgend == 0 ) hvm_info->high_mem_pgend = 1ull << (32 - PAGE_SHIFT); hvm_info->low_mem_pgend -= nr_pages;'"
    set low_mem_pgend = low_mem_pgend - nr_pages
    set high_mem_pgend = high_mem_pgend + nr_pages \
      cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.382) 'hvm_info->high_mem_pgend += nr_pages;'"
  end
  assert reloc_loop_ends: (pci_mem_start >> PAGE_SHIFT) >= low_mem_pgend \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/pci.c (pci_setup, l.360-366) 'while ( (pci_mem_start >> PAGE_SHIFT) < hvm_info->low_mem_pgend )' ... '(1u << 16) - 1);' -- eight rounds of 0xFFFF pages cover the 0x70000 pages of [0x80000000, 0xF0000000)"
  # the guest RAM after relocation: low [0, 0xA0000) + [0xC0000, low_mem_end), high
  # [4 GiB, high_mem_end)
  place ram_below_vga = [0, LOWMEM_RESERVED_BASE) type ram
  place ram_low = [VGA_HOLE_END, low_mem_pgend << PAGE_SHIFT) type ram
  place ram_high = [1 << 32, if high_mem_pgend != 0 then high_mem_pgend << PAGE_SHIFT else 1 << 32) type ram

# adjust_memory_map() (2c4f5125fd): shrink the low RAM entry to low_mem_end; grow
# the entry at 4 GiB to high_mem_end; "if there was no highmem region, just create
# one" -- but without 'memory_map.nr_map++' the new entry is past the end of the
# table and no one sees it.
# LIMITATION: no action removes memory from a map; the cut-off tail of the low
# entry is reserved as 'disabled' (a type nothing here uses) and dropped when
# build_e820_table copies the map (the translate below has no 'disabled').
stage adjust_memory_map after pci_setup
  place low_cut = [min(low_mem_pgend << PAGE_SHIFT, tool_low_ram.end), tool_low_ram.end) \
    cite "xen-project/xen@2c4f5125fd:tools/firmware/hvmloader/e820.c (adjust_memory_map) 'if ( memory_map.map[i].type == E820_RAM && low_mem_end > map_start && low_mem_end < map_end ) { memory_map.map[i].size = low_mem_end - map_start; continue; }'"
  reserve low_cut in memory_map as disabled
  place high_sync = [1 << 32, \
      if high_mem_pgend != 0 and (exists e in memory_map types {usable}: e.start == 1 << 32) \
      then high_mem_pgend << PAGE_SHIFT else 1 << 32) \
    cite "xen-project/xen@2c4f5125fd:tools/firmware/hvmloader/e820.c (adjust_memory_map) 'if ( memory_map.map[i].type == E820_RAM && high_mem_end && map_start == ((uint64_t)1 << 32) ) { if ( high_mem_end != map_end ) memory_map.map[i].size = high_mem_end - map_start;' ... '/* If there was no highmem region, just create one. */ if ( high_mem_end ) { memory_map.map[i].addr = ((uint64_t)1 << 32);' ... 'memory_map.map[i].type = E820_RAM; }' -- without nr_map++ [historical]"
  reserve high_sync in memory_map as usable

# build_e820_table(e820, 0, LOWCHUNK_BEGIN) (OVMF): its own entries, then every
# memory_map[] entry (then sorted).
stage build_e820_table after adjust_memory_map
  translate memory_map to e820 by {usable: usable, reserved: reserved} \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (l.257-261) 'for ( i = 0; i < memory_map.nr_map; i++ ) { e820[nr] = memory_map.map[i]; nr++; }'"
  place e820_low = [0, LOWMEM_RESERVED_BASE) \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (l.170-173) 'e820[nr].addr = 0x00000; e820[nr].size = lowmem_reserved_base; e820[nr].type = E820_RAM;'"
  reserve e820_low in e820 as usable
  use e820_reserve(e820_bios, LOWCHUNK_BEGIN, 0x100000 - LOWCHUNK_BEGIN) \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (l.196-198) 'e820[nr].addr = bios_image_base; e820[nr].size = 0x100000-bios_image_base; e820[nr].type = E820_RESERVED;'"
  use e820_reserve(e820_special, RESERVED_MEMBASE, u32(0 - RESERVED_MEMBASE)) \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (l.229-232) 'e820[nr].addr = RESERVED_MEMBASE; e820[nr].size = (uint32_t)-e820[nr].addr; e820[nr].type = E820_RESERVED;' [historical]"

# ---------------------------------------------------------------------------
# 24e3e3553b (2016): the created high entry is counted.
model hvmloader_relocate_2016 extends hvmloader_relocate_2015
  cite "xen-project/xen@24e3e3553b105181a471f16a227331bf427aca3d 'hvmloader: add high memory e820 region if needed'"

stage adjust_memory_map
  replace place high_sync = [1 << 32, if high_mem_pgend != 0 then high_mem_pgend << PAGE_SHIFT else 1 << 32) \
    cite "xen-project/xen@24e3e3553b:tools/firmware/hvmloader/e820.c (l.96-103) 'if ( high_mem_end ) { memory_map.map[i].addr = ((uint64_t)1 << 32); memory_map.map[i].size = ((uint64_t)hvm_info->high_mem_pgend << PAGE_SHIFT) - memory_map.map[i].addr; memory_map.map[i].type = E820_RAM; memory_map.nr_map++; }' [historical]"
