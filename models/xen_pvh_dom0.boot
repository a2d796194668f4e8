# Where Xen puts a PVH dom0's initrd, command line, module list and start_info
# (one block, "extra space") after loading the dom0 kernel's ELF image, and how
# that changed: right after the kernel (2017), the first RAM region found by
# find_memory() (2020, with unsigned wraps for kernels that span regions), and
# the fixed find_memory() (2023).
#
# Sources (XEN = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0):
#   xen-project/xen@73b47eea21045556dc5334e4f17d0c05c23f3c16^:xen/arch/x86/hvm/dom0_build.c
#       (pvh_load_kernel) 'last_addr = ROUNDUP(parms.virt_kend - parms.virt_base, PAGE_SIZE);'
#   xen-project/xen@73b47eea21045556dc5334e4f17d0c05c23f3c16  (2020-03-05) find_memory()
#       "x86/dom0: improve PVH initrd and metadata placement", Reported-by: Andrew Cooper
#   xen-project/xen@b6c7951f23a42215a0d1af2541d0702db1971c47  (2023-11-03) find_memory() fixed
#       "x86/hvm/dom0: fix PVH initrd and metadata placement" (a Zephyr image whose
#       ELF segments lie in different RAM regions)
#   XEN:xen/arch/x86/hvm/dom0_build.c (find_memory, pvh_load_kernel)  as of b6c7951f23
#   xen-project/xen@73b47eea21045556dc5334e4f17d0c05c23f3c16:xen/include/xen/lib.h (l.4)
#       '#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((a) - 1))'
#   XEN:xen/include/public/arch-x86/hvm/start_info.h  hvm_start_info (56 bytes with the
#       v1 memmap fields), hvm_modlist_entry (32 bytes)
#
# What is modelled: dom0's E820 (d->arch.e820, sorted, page-granular RAM), a dom0
# kernel with two PT_LOAD segments (Zephyr: 'paddr=0x1000 memsz=0x8000' and
# 'paddr=0x100000 memsz=0x28a90'; a Linux vmlinux is the case of an empty gap),
# which find_memory() folds into one span [kernel_start, kernel_end), and the one
# block of initrd + cmdline + modlist + start_info.
# Not modelled: the 2024 relocation of relocatable kernels (check_load_address,
# find_kernel_memory; dfc9fab003): here the kernel is where its ELF header says.
#
# width 64: paddr_t is a uint64_t, and the 2020 code relies on its wrap.

model xen_pvh_dom0_2017
  width 64
  cite "xen-project/xen@73b47eea21045556dc5334e4f17d0c05c23f3c16^:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel) 'last_addr = ROUNDUP(parms.virt_kend - parms.virt_base, PAGE_SIZE);' [historical]"

const PAGE = 4KiB                            cite "xen-project/xen@73b47eea21:xen/include/asm-x86/page.h (l.10) '#define PAGE_SIZE (_AC(1,L) << PAGE_SHIFT)' [historical]"
const MB1 = 1MiB                             cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory) 'if ( end <= MB(1) || d->arch.e820[i].type != E820_RAM )'"
const START_INFO_SIZE = 56                   cite "xen-project/xen@73b47eea21:xen/include/public/arch-x86/hvm/start_info.h (l.125-143, hvm_start_info) 'uint32_t magic;' ... 'uint32_t nr_modules;' ... 'uint64_t rsdp_paddr;' ... 'uint64_t memmap_paddr;' ... 'uint32_t reserved;' -- 4 x 4 + 4 x 8 + 2 x 4 bytes"
const MODLIST_ENTRY_SIZE = 32                cite "xen-project/xen@73b47eea21:xen/include/public/arch-x86/hvm/start_info.h (l.145-150, hvm_modlist_entry) 'uint64_t paddr;' ... 'uint64_t reserved;' -- 4 x 8 bytes"
const CMDLINE_ALIGN = 8                      cite "xen-project/xen@73b47eea21^:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel, l.582) 'ROUNDUP(strlen(cmdline) + 1, elf_64bit(&elf) ? 8 : 4)' [inferred: a 64-bit kernel] [historical]"

# initrd->mod_end (0: no initrd) and strlen(cmdline) + 1 (0: no command line).
# [inferred] ranges.
param initrd_len in [0, 16MiB]
param cmdline_len in [0, 4KiB]

# The kernel's two loadable segments. [inferred] ranges: Zephyr's first segment
# at 0x1000, a Linux vmlinux at 16 MiB; sizes up to 16 MiB each.
param kseg0_paddr in [4KiB, 32MiB] align 4KiB \
  cite "xen-project/xen@b6c7951f23 'ELF: phdr: paddr=0x1000 memsz=0x8000'"
param kseg0_memsz in [4KiB, 16MiB] align 4KiB
param kseg_gap in [0, 16MiB] align 4KiB     cite "xen-project/xen@b6c7951f23 'non-contiguous load segments that reside in different RAM regions'"
param kseg1_memsz in [1, 16MiB]              cite "xen-project/xen@b6c7951f23 'ELF: phdr: paddr=0x100000 memsz=0x28a90'"

# dom0's E820: pvh_setup_e820() keeps the host's entries and page-aligns RAM.
# 4 entries cover every map with at most 4 entries below 4 GiB (empty entries
# stand for fewer); [inferred] dom0 memory below 4 GiB shows every case.
map e820 : e820 symbolic 4 types {usable, reserved, acpi, nvs} within [0, 4GiB) align 4KiB \
  cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory, l.502-503) 'The memory map is sorted and all RAM regions starts and sizes are' ... 'aligned to page boundaries.'"

region kseg0 size kseg0_memsz at kseg0_paddr type kernel
region kseg1 size kseg1_memsz at kseg0.end + kseg_gap type kernel
# find_memory(): 'kernel_start = (paddr_t)elf->dest_base & PAGE_MASK;
# kernel_end = ROUNDUP((paddr_t)elf->dest_base + elf->dest_size, PAGE_SIZE)'
# (elf.dest_base = virt_kstart, the lowest paddr; dest_size up to virt_kend).
region kernel = [align_down(kseg0.start, PAGE), align_up(kseg1.end, PAGE)) type kernel_span \
  cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory) 'paddr_t kernel_start = (paddr_t)elf->dest_base & PAGE_MASK; paddr_t kernel_end = ROUNDUP((paddr_t)elf->dest_base + elf->dest_size, PAGE_SIZE);'"

# elf_load_binary() copies each segment with hvm_copy_to_guest_phys(), which fails
# ("Failed to load kernel") unless the guest pages are RAM: the runs that get as
# far as placing the initrd are those where both segments lie in dom0 RAM.
assume kernel_loaded: within(kseg0, e820 types {usable}) and within(kseg1, e820 types {usable}) \
  cite "xen-project/xen@73b47eea21^:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel, l.541-547) 'rc = elf_load_binary(&elf); if ( rc < 0 ) { printk(\"Failed to load kernel: %d\\n\", rc); ... return rc;'"

# extra_space: sizeof(start_info) + (initrd ? ROUNDUP(initrd_len, PAGE_SIZE) +
# sizeof(mod) : 0) + (cmdline ? ROUNDUP(strlen(cmdline) + 1, 8) : 0), with
# '#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((a) - 1))', written align_up(x, a):
# the same value for a power of two, and about twice as cheap for the solver as
# the mask.
var extra_size = START_INFO_SIZE \
  + (if initrd_len != 0 then align_up(initrd_len, PAGE) + MODLIST_ENTRY_SIZE else 0) \
  + align_up(cmdline_len, CMDLINE_ALIGN) \
  cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel, l.594-599) 'last_addr = find_memory(d, &elf, sizeof(start_info) + (initrd ? ROUNDUP(initrd->mod_end, PAGE_SIZE) + sizeof(mod) : 0) + (cmdline ? ROUNDUP(strlen(cmdline) + 1, elf_64bit(&elf) ? 8 : 4) : 0));' [historical]"

# 2017: the block starts right after the kernel image, whatever memory is there.
stage pvh_load_kernel
  place extra size extra_size at align_up(kseg1.end, PAGE) type initrd_and_metadata \
    cite "xen-project/xen@73b47eea21^:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel, l.549) 'last_addr = ROUNDUP(parms.virt_kend - parms.virt_base, PAGE_SIZE);' [historical]"

# ---------------------------------------------------------------------------
# 2020 (73b47eea21): find_memory() walks the RAM entries in order, skips those
# ending at or below 1 MiB, starts at max(addr, 1 MiB), cuts the kernel out of an
# entry by keeping its larger side, and returns the start of the first entry big
# enough. All of it in paddr_t: when the kernel span only partly overlaps an
# entry, 'kernel_start - start' or 'end - kernel_end' wraps, and so does
# 'end - start' after the cut.
#
# The loop returns either 'start' or 'kernel_end' of the entry it stopped at, so
# the model recovers that entry with two empty placements: 'pick' at
# max(addr, 1 MiB) of the first entry the loop accepts, 'pick_end' at that
# entry's end. (A first fit places a block *inside* an entry; the 2020 code can
# return an address outside it, so it cannot be one placement.)
model xen_pvh_dom0_2020 extends xen_pvh_dom0_2017
  cite "xen-project/xen@73b47eea21045556dc5334e4f17d0c05c23f3c16:xen/arch/x86/hvm/dom0_build.c (find_memory) 'else if ( kernel_start - start > end - kernel_end ) end = kernel_start; else start = kernel_end;' [historical]"

stage pvh_load_kernel
  insert before place extra: place pick size 0 \
    bottomup in e820 types {usable} where entry.end > MB1 and \
      (if entry.end <= kernel.start or max(entry.start, MB1) >= kernel.end \
       then entry.end - max(entry.start, MB1) >= extra_size \
       else if u64(kernel.start - max(entry.start, MB1)) > u64(entry.end - kernel.end) \
       then u64(kernel.start - max(entry.start, MB1)) >= extra_size \
       else u64(entry.end - kernel.end) >= extra_size) \
      above MB1 \
    cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory, l.510-525) 'if ( end <= MB(1) || d->arch.e820[i].type != E820_RAM ) continue; start = MAX(ROUNDUP(d->arch.e820[i].addr, PAGE_SIZE), MB(1));' ... 'if ( end <= kernel_start || start >= kernel_end )' ... 'else if ( kernel_start - start > end - kernel_end ) end = kernel_start; else start = kernel_end; if ( end - start >= size ) return start;' [historical]"
  insert before place extra: place pick_end size 0 \
    topdown in e820 types {usable} where entry.start <= pick.start and pick.start < entry.end \
    cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory, l.507) 'paddr_t start, end = d->arch.e820[i].addr + d->arch.e820[i].size;' [inferred: the entry whose start pick is]"
  replace place extra size extra_size \
    at (if not (pick_end.start <= kernel.start or pick.start >= kernel.end) \
           and not (u64(kernel.start - pick.start) > u64(pick_end.start - kernel.end)) \
        then kernel.end else pick.start) type initrd_and_metadata \
    cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (find_memory, l.521-525) 'else start = kernel_end; if ( end - start >= size ) return start;' [historical]"

# No entry accepted: find_memory() returns INVALID_PADDR and the dom0 build fails.
expect fits@L106 violated \
  cite "xen-project/xen@73b47eea21:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel, l.601-605) 'printk(\"Unable to find a memory region to load initrd and metadata\\n\"); return -ENOMEM;'"

# ---------------------------------------------------------------------------
# 2023 (b6c7951f23): per entry, the lowest address of the entry (from 1 MiB on)
# where the block fits without meeting the kernel span: before it, or from
# kernel_end. That is a bottom-up first fit in RAM entries ending above 1 MiB.
model xen_pvh_dom0_2023 extends xen_pvh_dom0_2017
  cite "xen-project/xen@b6c7951f23a42215a0d1af2541d0702db1971c47 'x86/hvm/dom0: fix PVH initrd and metadata placement'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/hvm/dom0_build.c (find_memory) 'else if ( kernel_start > start && kernel_start - start >= size ) return start;'"

stage pvh_load_kernel
  replace place extra size extra_size \
    bottomup in e820 types {usable} where entry.end > MB1 above MB1 avoid kernel \
    type initrd_and_metadata \
    cite "xen-project/xen@b6c7951f23:xen/arch/x86/hvm/dom0_build.c (find_memory) 'if ( end <= kernel_start || start >= kernel_end ) {' ... 'if ( end - start >= size ) return start; }' ... 'else if ( kernel_start > start && kernel_start - start >= size ) return start; else if ( kernel_end < end && end - kernel_end >= size ) return kernel_end;'"

expect fits@L137 violated \
  cite "xen-project/xen@c447b7308b:xen/arch/x86/hvm/dom0_build.c (pvh_load_kernel) 'printk(\"Unable to find a memory region to load initrd and metadata\\n\"); return -ENOMEM;'"
