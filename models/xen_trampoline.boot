# Xen's x86 boot trampoline: where the 64 KiB real-mode trampoline (code, boot-info
# heap and low stack) goes below 1 MiB, on BIOS and on EFI, and how that changed.
#
# Sources (each line's cite quotes the code; 'bootspec cite check --source xen=DIR'
# checks them against a Xen checkout):
#   xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h   TRAMPOLINE_SIZE
#   xen-project/xen@c447b7308b:xen/arch/x86/xen.lds.S                  trampoline code size assert
#   xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S                trampoline_bios_setup
#   xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h             EFI placement + fallback
#   xen-project/xen@46fce9fd2b  EBDA-relative placement (was the fixed 0x7c000)
#   xen-project/xen@5e5e2d2a34  also honour the multiboot mem_lower
#   coreos/grub@c6b9a0af3d      how GRUB computes the multiboot mem_lower from the e820 map
#
# Addresses are physical; the BIOS placement is 32-bit code (width 32); the EFI
# placement runs in the 64-bit EFI application (width 64).
#
# The BIOS models see the firmware's e820 map below 1 MiB ('e820') and the boot
# loader's view of it: GRUB passes as multiboot mem_lower the size of the usable
# entry that starts at 0 (at most 1 MiB), in KiB. The BDA words (0x40E, 0x413) are
# inputs the map does not fix. On a real machine 'bootspec memmap check' derives
# them, and mem_lower, from the machine's map (README, "The BIOS path on real
# machines").

# ---------------------------------------------------------------------------
# Before 2012: a fixed trampoline at BOOT_TRAMPOLINE = 0x7c000.
model xen_trampoline_fixed
  width 32
  cite "xen-project/xen@46fce9fd2b^:xen/arch/x86/boot/head.S (l.12) '#define BOOT_TRAMPOLINE 0x7c000' [historical]"

const BOOT_TRAMPOLINE = 0x7C000              cite "xen-project/xen@46fce9fd2b^:xen/arch/x86/boot/head.S (l.12) '#define BOOT_TRAMPOLINE 0x7c000' [historical]"
const TRAMPOLINE_SIZE = 64KiB                cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.95) '#define TRAMPOLINE_SIZE KB(64)'"
const BDA_EBDA_SEG_MIN = 0x4000              cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.484) 'cmp $0x4000,%ecx /* sanity check (low) */'"
const BDA_EBDA_SEG_END = 0xA000              cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.482) 'cmp $0xa000,%ecx /* sanity check (high) */'"
const LOWMEM_END = 0xA0000                   # the 640 KiB boundary: the EBDA ends there (PC convention)

# The BDA word at 0x40E: the EBDA segment, whatever the firmware wrote (any u16).
param ebda_seg in [0, 0xFFFF]                cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.481) 'movzwl 0x40e,%ecx /* EBDA segment */'"
# The BDA word at 0x413: base memory in KiB. [inferred] PC BIOSes report at most
# 640 KiB and at least 256 KiB; head.S does not sanity-check this value.
param basemem_kib in [256, 640]              cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.487) 'movzwl 0x413,%ecx /* use base memory size on failure */'"
# multiboot(2) mem_lower in KiB; 0 when the loader gives none (head.S zeroes %edx).
# GRUB caps it at 1 MiB, not at the 640 KiB the multiboot text speaks of.
param mem_lower_kib in [0, 1024]             cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.421-436) 'xor %edx,%edx' ... 'cmovnz MB_mem_lower(%ebx),%edx'; coreos/grub@c6b9a0af3d:grub-core/mmap/i386/uppermem.c (grub_mmap_get_lower, l.44-52) 'if (lower > 0x100000) lower = 0x100000;'"
# The footprint of the old fixed trampoline is not in the sources read; any non-empty
# size gives the same verdicts below. [inferred]
param old_tramp_size in [4KiB, 64KiB] align 4KiB

# The EBDA as the BDA describes it: from ebda_seg * 16 up to 640 KiB [inferred: the
# EBDA sits at the top of base memory]. A pointer that fails head.S's sanity check
# says nothing about where the EBDA is: the region is then empty.
region ebda = [if ebda_seg >= BDA_EBDA_SEG_MIN and ebda_seg < BDA_EBDA_SEG_END \
               then ebda_seg * 16 else LOWMEM_END, LOWMEM_END)

# The firmware's e820 map below 1 MiB (INT 15h E820, as the boot loader reads it).
# 4 entries cover the maps that matter here: the usable entry at 0, the EBDA and
# option-ROM data above it, the legacy hole (an empty entry stands for "fewer").
map e820 : e820 symbolic 4 within [0, 1MiB) align 1KiB

# The multiboot mem_lower GRUB would pass for this map, in KiB (0: no such entry).
var grub_mem_lower_kib = 0

# GRUB builds the multiboot information before Xen runs: mem_lower is
# grub_mmap_get_lower() / 1024, the end of the usable entry that starts at 0, at
# most 1 MiB. grub_lower is the last KiB of that entry below 1 MiB, so its end is
# mem_lower in bytes ('else none': no usable entry at 0 gives 0).
stage loader
  cite "coreos/grub@c6b9a0af3d:grub-core/loader/multiboot_mbi2.c (l.874) 'tag->mem_lower = grub_mmap_get_lower () / 1024;'; coreos/grub@c6b9a0af3d:grub-core/loader/i386/multiboot_mbi.c (l.559) 'mbi->mem_lower = grub_mmap_get_lower () / 1024;'"
  place grub_lower size 1KiB topdown in e820 types {usable} where entry.start == 0 below 1MiB align 1KiB else none \
    cite "coreos/grub@c6b9a0af3d:grub-core/mmap/i386/uppermem.c (lower_hook, l.26-41) 'if (type != GRUB_MEMORY_AVAILABLE) return 0;' ... 'if (addr == 0)' ... '*lower = size + addr;'"
  set grub_mem_lower_kib = grub_lower.end / 1KiB

stage trampoline_bios_setup after loader
  place trampoline size old_tramp_size at BOOT_TRAMPOLINE

# ---------------------------------------------------------------------------
# 2012 (46fce9fd2b): 64 KiB below the EBDA, the EBDA segment sanity-checked to
# [0x4000, 0xA000), falling back to the 0x413 base-memory size.
model xen_trampoline_ebda extends xen_trampoline_fixed
  cite "xen-project/xen@46fce9fd2b 'the trampoline segment is set to 64k below the EBDA'"

# seg = 0x40E if 0x4000 <= seg < 0xA000, else 0x413 KiB << 6 (KiB -> paragraphs)
var bda_seg = if ebda_seg >= BDA_EBDA_SEG_END or ebda_seg < BDA_EBDA_SEG_MIN \
              then basemem_kib * 64 else ebda_seg \
  cite "xen-project/xen@46fce9fd2b:xen/arch/x86/boot/head.S (l.81-88) 'movzwl 0x40e,%eax' ... 'cmp $0xa000,%eax' ... 'movzwl 0x413,%eax' ... 'shl $10-4,%eax' [historical]"

stage trampoline_bios_setup
  # sub $(TRAMPOLINE_SIZE >> 4); xor %cl,%cl (4 KiB align); shl $4
  replace place trampoline size TRAMPOLINE_SIZE \
    at align_down(bda_seg - TRAMPOLINE_SIZE / 16, 0x100) * 16 \
    cite "xen-project/xen@46fce9fd2b:xen/arch/x86/boot/head.S (l.90-94) 'sub $0x1000,%eax' ... 'xor %al, %al' ... 'shl $4, %eax' [historical]"

# ---------------------------------------------------------------------------
# 2013 (5e5e2d2a34) to now: also take multiboot mem_lower when it is >= 256 KiB,
# and use the smaller of the two.
model xen_trampoline_bios extends xen_trampoline_ebda
  cite "xen-project/xen@5e5e2d2a34 'using the multiboot value only if it's sane but lower than the BDA computed one'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.475-507) 'cmp $0x100,%edx /* is the multiboot value too small? */'"

const MEM_LOWER_MIN_KIB = 0x100              cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.494-495) 'cmp $0x100,%edx /* is the multiboot value too small? */ jb 2f /* if so, do not use it */'"

var low_seg = if mem_lower_kib >= MEM_LOWER_MIN_KIB and mem_lower_kib * 64 < bda_seg \
              then mem_lower_kib * 64 else bda_seg \
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.496-498) 'shl $10-4,%edx' ... 'cmp %ecx,%edx /* compare with BDA value */' ... 'cmovb %edx,%ecx /* and use the smaller */'"

stage trampoline_bios_setup
  replace place trampoline size TRAMPOLINE_SIZE \
    at align_down(low_seg - TRAMPOLINE_SIZE / 16, 0x100) * 16 \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.502-507) 'sub $TRAMPOLINE_SIZE >> 4, %ecx' ... 'xor %cl, %cl' ... 'shl $4, %ecx' ... 'mov %ecx,sym_esi(trampoline_phys)'"

# ---------------------------------------------------------------------------
# EFI (xen.efi and multiboot2 on EFI): efi_arch_memory_setup asks
# AllocatePages(AllocateMaxAddress, EfiLoaderData, PFN_UP(size), 0x100000); if that
# fails, the memory-map walk picks the conventional or boot-services descriptor
# that ends <= 1 MiB, is large enough, and has the highest end, and puts the
# trampoline at its top ((end - size) & PAGE_MASK). The copy happens only after
# ExitBootServices, so boot-services memory is fair game.
model xen_trampoline_efi
  width 64
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup, l.633-654) 'status = efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, PFN_UP(cfg.size), &cfg.addr);'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map, l.171-183) 'cfg.addr = (desc->PhysicalStart + len - cfg.size) & PAGE_MASK;'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_pre_exit_boot, l.227-235) 'blexit(L\"No memory for trampoline\");' ... 'relocate_trampoline(cfg.addr);'"

const TRAMPOLINE_SIZE = 64KiB                cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.95) '#define TRAMPOLINE_SIZE KB(64)'; xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (l.641-644) 'else cfg.size = TRAMPOLINE_SIZE;'"
const TRAMPOLINE_HEAP_END = 0xF000           cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.96) '#define TRAMPOLINE_HEAP_END (TRAMPOLINE_SIZE - PAGE_SIZE)'"
const MBI_SPACE_MIN = 8KiB                   cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.97) '#define MBI_SPACE_MIN (2 * PAGE_SIZE)'"
const EFI_MAX_ADDRESS = 0x100000             cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (l.639) 'cfg.addr = 0x100000;'; tianocore/edk2@c5aa7e7d94:MdeModulePkg/Core/Dxe/Mem/Page.c (CoreFindFreePagesI, l.948-966) 'If MaxAddress is not aligned to the end of a page' ... 'MaxAddress |= EFI_PAGE_MASK;'"

param boot : enum {xen_efi, mb2_efi}
# xen.efi (EFI_LOADER) copies only trampoline_end - trampoline_start, which the
# link-time assert keeps below TRAMPOLINE_HEAP_END - MBI_SPACE_MIN.
param tramp_code_size in [1KiB, TRAMPOLINE_HEAP_END - MBI_SPACE_MIN) \
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (l.641-642) 'if ( efi_enabled(EFI_LOADER) ) cfg.size = trampoline_end - trampoline_start;'; xen-project/xen@c447b7308b:xen/arch/x86/xen.lds.S (l.443-444) 'ASSERT((trampoline_end - trampoline_start) < TRAMPOLINE_HEAP_END - MBI_SPACE_MIN,'"

# The firmware's memory map below 1 MiB (only that part matters: every candidate
# must end <= 1 MiB). 6 entries cover every map with at most 6 descriptors below
# 1 MiB (an empty entry stands for "fewer"); pages are 4 KiB.
map fw : efi symbolic 6 types {conventional, bs_code, bs_data, loader_code, loader_data, \
  reserved, rt_code, rt_data, acpi_reclaim, acpi_nvs, unusable} within [0, 1MiB) align 4KiB

# 'above 4KiB': Xen uses cfg.addr == 0 / trampoline_phys == 0 to mean "no trampoline"
# (efi_arch_pre_exit_boot, quoted above), so a block at address 0 ends in the same blexit.
# The fallback takes only descriptors that *end* at or below 1 MiB ('where'): a
# conventional or boot-services descriptor that crosses 1 MiB is never used, even
# for its part below 1 MiB (efi_arch_process_memory_map, quoted below).
stage efi_arch_memory_setup
  place trampoline size (if boot == xen_efi then tramp_code_size else TRAMPOLINE_SIZE) \
    topdown in fw types {conventional} above 4KiB below (((EFI_MAX_ADDRESS - (0xFFF + 1)) & ~0xFFF) | 0xFFF) + 1 align 4KiB \
    else topdown in fw types {bs_code, bs_data, conventional} where entry.end <= EFI_MAX_ADDRESS above 4KiB align 4KiB \
    cite "AllocatePages(AllocateMaxAddress) [inferred: EDK2 searches top-down]; tianocore/edk2@c5aa7e7d94:MdeModulePkg/Core/Dxe/Mem/Page.c (CoreFindFreePagesI) 'MaxAddress -= (EFI_PAGE_MASK + 1);' ... 'MaxAddress &= ~(UINT64)EFI_PAGE_MASK;' ... 'MaxAddress |= EFI_PAGE_MASK;' ... 'if (DescEnd > Target) {' ... 'Target = DescEnd;' ... 'Target -= NumberOfBytes - 1;' (MaxAddress is the last byte the block may use: its end is at most MaxAddress + 1); else xen-project/xen@00d0fcf33c580ba4577a9a2ac274863c173bbe65:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map) 'if ( !trampoline_phys && desc->PhysicalStart + len <= 0x100000 && len >= cfg.size && desc->PhysicalStart + len > cfg.addr ) cfg.addr = (desc->PhysicalStart + len - cfg.size) & PAGE_MASK;'"

# No room in either: efi_arch_pre_exit_boot blexits "No memory for trampoline".
expect fits@L146 violated \
  cite "xen-project/xen@00d0fcf33c580ba4577a9a2ac274863c173bbe65:xen/arch/x86/efi/efi-boot.h (efi_arch_pre_exit_boot) 'if ( !cfg.addr ) blexit(L\"No memory for trampoline\");'"
