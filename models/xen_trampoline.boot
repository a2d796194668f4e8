# Xen's x86 boot trampoline: where the 64 KiB real-mode trampoline (code, boot-info
# heap and low stack) goes below 1 MiB, on BIOS and on EFI, and how that changed.
#
# Sources (XEN = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0):
#   XEN:xen/arch/x86/include/asm/trampoline.h (l.95-97)   TRAMPOLINE_SIZE, heap, MBI_SPACE_MIN
#   XEN:xen/arch/x86/xen.lds.S (l.440-444)                trampoline code size link assert
#   XEN:xen/arch/x86/boot/head.S (l.476-507)              trampoline_bios_setup
#   XEN:xen/arch/x86/efi/efi-boot.h (l.171-183, l.227-235, l.632-653)  EFI placement + fallback
#   xen-project/xen@46fce9fd2b3557c97e6ce9beec9ed17ad87d6f94  EBDA-relative placement (was 0x7c000)
#   xen-project/xen@5e5e2d2a340238680100dd511bde3b5ca75c3b0d  also honour multiboot mem_lower
#   boot-facts.md §3.2 and B8.
#
# Addresses are physical; the BIOS placement is 32-bit code (width 32); the EFI
# placement runs in the 64-bit EFI application (width 64).

# ---------------------------------------------------------------------------
# Before 2012: a fixed trampoline at BOOT_TRAMPOLINE = 0x7c000.
model xen_trampoline_fixed
  width 32
  cite "xen-project/xen@46fce9fd2b3557c97e6ce9beec9ed17ad87d6f94^ (BOOT_TRAMPOLINE 0x7c000)"

const BOOT_TRAMPOLINE = 0x7C000              cite "46fce9fd2b^: #define BOOT_TRAMPOLINE 0x7c000 (boot-facts B8)"
const TRAMPOLINE_SIZE = 64KiB                cite "XEN:xen/arch/x86/include/asm/trampoline.h (l.95): TRAMPOLINE_SIZE = KB(64)"
const BDA_EBDA_SEG_MIN = 0x4000              cite "XEN:head.S (l.476-507): cmp $0x4000 (sanity check, low)"
const BDA_EBDA_SEG_END = 0xA000              cite "XEN:head.S (l.476-507): cmp $0xa000 (sanity check, high)"
const LOWMEM_END = 0xA0000                   # the 640 KiB boundary: the EBDA ends there (PC convention)

# The BDA word at 0x40E: the EBDA segment, whatever the firmware wrote (any u16).
param ebda_seg in [0, 0xFFFF]                cite "XEN:head.S (l.476-507): movzwl 0x40e"
# The BDA word at 0x413: base memory in KiB. [inferred] PC BIOSes report at most
# 640 KiB and at least 256 KiB; head.S does not sanity-check this value.
param basemem_kib in [256, 640]              cite "XEN:head.S (l.476-507): movzwl 0x413 (fallback)"
# multiboot(2) mem_lower in KiB; 0 when the loader gives none (head.S zeroes %edx).
# The multiboot spec caps lower memory at 640 KiB.
param mem_lower_kib in [0, 640]              cite "XEN:head.S: MB_mem_lower / MB2_mem_lower, %edx = 0 if absent"
# The footprint of the old fixed trampoline is not in boot-facts; any non-empty
# size gives the same verdicts below. [inferred]
param old_tramp_size in [4KiB, 64KiB] align 4KiB

# The EBDA as the BDA describes it: from ebda_seg * 16 up to 640 KiB [inferred: the
# EBDA sits at the top of base memory]. A pointer that fails head.S's sanity check
# says nothing about where the EBDA is: the region is then empty.
region ebda = [if ebda_seg >= BDA_EBDA_SEG_MIN and ebda_seg < BDA_EBDA_SEG_END \
               then ebda_seg * 16 else LOWMEM_END, LOWMEM_END)

stage trampoline_bios_setup
  place trampoline size old_tramp_size at BOOT_TRAMPOLINE

# ---------------------------------------------------------------------------
# 2012 (46fce9fd2b): 64 KiB below the EBDA, the EBDA segment sanity-checked to
# [0x4000, 0xA000), falling back to the 0x413 base-memory size.
model xen_trampoline_ebda extends xen_trampoline_fixed
  cite "xen-project/xen@46fce9fd2b3557c97e6ce9beec9ed17ad87d6f94 (trampoline 64k below EBDA)"

# seg = 0x40E if 0x4000 <= seg < 0xA000, else 0x413 KiB << 6 (KiB -> paragraphs)
var bda_seg = if ebda_seg >= BDA_EBDA_SEG_END or ebda_seg < BDA_EBDA_SEG_MIN \
              then basemem_kib * 64 else ebda_seg

stage trampoline_bios_setup
  # sub $(TRAMPOLINE_SIZE >> 4); xor %cl,%cl (4 KiB align); shl $4
  replace place trampoline size TRAMPOLINE_SIZE \
    at align_down(bda_seg - TRAMPOLINE_SIZE / 16, 0x100) * 16

# ---------------------------------------------------------------------------
# 2013 (5e5e2d2a34) to now: also take multiboot mem_lower when it is >= 256 KiB,
# and use the smaller of the two.
model xen_trampoline_bios extends xen_trampoline_ebda
  cite "xen-project/xen@5e5e2d2a340238680100dd511bde3b5ca75c3b0d (use min(BDA, mem_lower))"
  cite "XEN:xen/arch/x86/boot/head.S (l.476-507, trampoline_bios_setup)"

const MEM_LOWER_MIN_KIB = 0x100              cite "XEN:head.S (l.476-507): cmp $0x100,%edx (is the multiboot value too small?)"

var low_seg = if mem_lower_kib >= MEM_LOWER_MIN_KIB and mem_lower_kib * 64 < bda_seg \
              then mem_lower_kib * 64 else bda_seg

stage trampoline_bios_setup
  replace place trampoline size TRAMPOLINE_SIZE \
    at align_down(low_seg - TRAMPOLINE_SIZE / 16, 0x100) * 16

# ---------------------------------------------------------------------------
# EFI (xen.efi and multiboot2 on EFI): efi_arch_memory_setup asks
# AllocatePages(AllocateMaxAddress, EfiLoaderData, PFN_UP(size), 0x100000); if that
# fails, the memory-map walk picks the conventional or boot-services descriptor
# that ends <= 1 MiB, is large enough, and has the highest end, and puts the
# trampoline at its top ((end - size) & PAGE_MASK). The copy happens only after
# ExitBootServices, so boot-services memory is fair game.
model xen_trampoline_efi
  width 64
  cite "XEN:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup l.632-653; efi_arch_process_memory_map l.171-183; efi_arch_pre_exit_boot l.227-235)"

const TRAMPOLINE_SIZE = 64KiB                cite "XEN:trampoline.h (l.95): cfg.size for multiboot2 (not EFI_LOADER)"
const TRAMPOLINE_HEAP_END = 0xF000           cite "XEN:trampoline.h (l.96): TRAMPOLINE_SIZE - PAGE_SIZE"
const MBI_SPACE_MIN = 8KiB                   cite "XEN:trampoline.h (l.97): 2 * PAGE_SIZE"
const EFI_MAX_ADDRESS = 0x100000             cite "XEN:efi-boot.h (l.632-653): cfg.addr = 0x100000; EDK2 Page.c l.948-960 keeps the block below it"

param boot : enum {xen_efi, mb2_efi}
# xen.efi (EFI_LOADER) copies only trampoline_end - trampoline_start, which the
# link-time assert keeps below TRAMPOLINE_HEAP_END - MBI_SPACE_MIN.
param tramp_code_size in [1KiB, TRAMPOLINE_HEAP_END - MBI_SPACE_MIN) \
  cite "XEN:xen/arch/x86/xen.lds.S (l.440-444)"

# The firmware's memory map below 1 MiB (only that part matters: every candidate
# must end <= 1 MiB). 6 entries cover every map with at most 6 descriptors below
# 1 MiB (an empty entry stands for "fewer"); pages are 4 KiB.
map fw : efi symbolic 6 types {conventional, bs_code, bs_data, loader_code, loader_data, \
  reserved, rt_code, rt_data, acpi_reclaim, acpi_nvs, unusable} within [0, 1MiB) align 4KiB

# 'above 4KiB': Xen uses cfg.addr == 0 / trampoline_phys == 0 to mean "no trampoline"
# (efi-boot.h l.227-235), so a block at address 0 ends in the same blexit.
# The fallback takes only descriptors that *end* at or below 1 MiB ('where'): a
# conventional or boot-services descriptor that crosses 1 MiB is never used, even
# for its part below 1 MiB (efi_arch_process_memory_map, quoted below).
stage efi_arch_memory_setup
  place trampoline size (if boot == xen_efi then tramp_code_size else TRAMPOLINE_SIZE) \
    topdown in fw types {conventional} above 4KiB below EFI_MAX_ADDRESS align 4KiB \
    else topdown in fw types {bs_code, bs_data, conventional} where entry.end <= EFI_MAX_ADDRESS above 4KiB align 4KiB \
    cite "AllocatePages(AllocateMaxAddress) [inferred: EDK2 searches top-down], else xen-project/xen@00d0fcf33c580ba4577a9a2ac274863c173bbe65:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map) 'if ( !trampoline_phys && desc->PhysicalStart + len <= 0x100000 && len >= cfg.size && desc->PhysicalStart + len > cfg.addr ) cfg.addr = (desc->PhysicalStart + len - cfg.size) & PAGE_MASK;'"

# No room in either: efi_arch_pre_exit_boot blexits "No memory for trampoline".
expect fits@L114 violated \
  cite "xen-project/xen@00d0fcf33c580ba4577a9a2ac274863c173bbe65:xen/arch/x86/efi/efi-boot.h (efi_arch_pre_exit_boot) 'if ( !cfg.addr ) blexit(L\"No memory for trampoline\");'"
