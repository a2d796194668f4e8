# Xen on EFI (xen.efi or multiboot2): turning the firmware's memory map into the
# E820 that __start_xen() allocates from, and what that means for memory the
# firmware still uses at runtime. Since 2014 only write-back-cacheable free or
# loader memory becomes E820_RAM (the rest E820_UNUSABLE); since 2022 memory
# marked EFI_MEMORY_RUNTIME becomes E820_RESERVED whatever its type.
#
# Sources (XEN = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0):
#   xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a^:xen/arch/x86/efi/efi-boot.h
#       (efi_arch_process_memory_map, l.153-216)  the conversion before 2022
#   xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a (2022-10-21, J. Beulich)
#       "EFI: don't convert memory marked for runtime use to ordinary RAM"
#   XEN:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map)
#   xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a:xen/arch/x86/efi/efi-boot.h
#       (efi_arch_memory_setup l.630-644, efi_arch_pre_exit_boot l.225-231)  the trampoline
#   xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a:xen/arch/x86/setup.c
#       (l.857, l.1218-1233, l.1384-1400)  RAM chunks and the kexec crash area
#   xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a^:xen/include/efi/efidef.h (l.154-170)
#
# What is modelled: the firmware map (types and attribute words); the trampoline
# fallback of efi_arch_process_memory_map() (taken when AllocatePages below 1 MiB
# failed); the E820 types; the kexec crash area that __start_xen() carves from
# E820 RAM ('crashkernel=<size>' without '@'), standing for any use Xen makes of
# E820 RAM.
# LIMITATION: 'translate' maps types only. Which descriptors efi_arch_process_memory_map()
# makes E820_RAM also depends on their attributes, so E820 RAM here is a 'usable'
# segment whose attribute word passes the code's test; the test is written in the
# 'where' of the placements that take RAM (the attribute word stays with the
# segment through 'translate').
# LIMITATION: Xen merges adjacent E820 entries of one type; a first fit here stays
# inside one descriptor.
# Not modelled: /mapbs (boot services kept E820_RESERVED), modules, the
# AllocatePages attempt that comes before the trampoline fallback (the fallback is
# taken when it failed; models/xen_trampoline.boot has both).

model xen_efi_memmap_2021
  width 64
  cite "xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a^:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map) 'if ( desc->Attribute & EFI_MEMORY_WB ) type = E820_RAM;' [historical]"

const EFI_MEMORY_WB = 0x8                    cite "xen-project/xen@f324300c83^:xen/include/efi/efidef.h (l.157) '#define EFI_MEMORY_WB 0x0000000000000008'"
const EFI_MEMORY_RUNTIME = 0x8000000000000000   cite "xen-project/xen@f324300c83^:xen/include/efi/efidef.h (l.170) '#define EFI_MEMORY_RUNTIME 0x8000000000000000'"
# multiboot2 on EFI; xen.efi copies only trampoline_end - trampoline_start
const TRAMPOLINE_SIZE = 64KiB                cite "xen-project/xen@f324300c83:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup, l.635) 'cfg.size = TRAMPOLINE_SPACE + TRAMPOLINE_STACK_SPACE;' [historical]; xen-project/xen@f324300c83:xen/arch/x86/include/asm/config.h (l.63-64) '#define TRAMPOLINE_STACK_SPACE  PAGE_SIZE' ... '#define TRAMPOLINE_SPACE        (KB(64) - TRAMPOLINE_STACK_SPACE)' [historical]"
const TRAMPOLINE_MAX_END = 0x100000          cite "xen-project/xen@f324300c83:xen/arch/x86/efi/efi-boot.h (l.630) 'cfg.addr = 0x100000;'"
const PREBUILT_MAP_LIMIT = 2MiB              cite "xen-project/xen@f324300c83:xen/arch/x86/setup.c (l.857) '#define PREBUILT_MAP_LIMIT (1 << L2_PAGETABLE_SHIFT)'"
const PAGE = 4KiB                            cite "xen-project/xen@f324300c83:xen/arch/x86/include/asm/page.h (l.407) '#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)' [historical]"
const SUPERPAGE = 2MiB                      cite "xen-project/xen@f324300c83:xen/arch/x86/setup.c (l.1220) 'mask = (1UL << L2_PAGETABLE_SHIFT) - 1'"

# crashkernel=<size>: [inferred] 16 .. 512 MiB, in 2 MiB steps. setup.c carves the
# area from the 2 MiB-aligned interior of a RAM entry: s = round_up(start, 2M),
# e = round_down(end, 2M), start = (e - size) & PAGE_MASK. For a size that is a
# multiple of 2 MiB that is exactly a top-down first fit aligned to 2 MiB in the
# entry: floor_2M(end - size) = round_down(end, 2M) - size, and it fits in the
# entry exactly when it fits in the interior (a 2 MiB-aligned start at or above
# 'start' is at or above round_up(start, 2M)). So the model needs no assumption on
# the map (any firmware map, real ones included), at the price of the sizes in
# between, which only move the area within the same chunk by less than 2 MiB.
param crash_size in [16MiB, 512MiB] align SUPERPAGE \
  cite "xen-project/xen@f324300c83:xen/arch/x86/setup.c (l.1226-1229) '/* Superpage-aligned chunks from PREBUILT_MAP_LIMIT. */ s = (boot_e820.map[i].addr + mask) & ~mask; e = (boot_e820.map[i].addr + boot_e820.map[i].size) & ~mask; s = max_t(uint64_t, s, PREBUILT_MAP_LIMIT);'"

# The firmware's memory map below 8 GiB: 4 entries cover every map with at most 4
# descriptors there (empty entries stand for fewer); page granular, as the
# firmware's descriptors are.
map fw : efi symbolic 4 types {conventional, loader_data, bs_data, rt_data, reserved, acpi_reclaim, acpi_nvs, unusable} \
  within [0, 8GiB) align 4KiB attrs {UC, WB, RUN}
# e820_raw as efi_arch_process_memory_map() fills it.
map e820 : e820 derived

stage efi_arch_process_memory_map
  # Without /mapbs ('map_bs' false, the default) the switch falls through from the
  # boot-services cases into 'case EfiConventionalMemory:': boot-services memory is
  # treated as free memory, for the trampoline and for the E820 alike.
  convert fw types {bs_data} to conventional \
    cite "xen-project/xen@f324300c83^:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map, l.172-181) 'case EfiBootServicesData:' ... 'if ( map_bs )' ... '/* fall through */' ... 'case EfiConventionalMemory:'"
  # AllocatePages(AllocateMaxAddress, ..., 0x100000) failed ("will try fallback"):
  # the conventional descriptor ending at or below 1 MiB with the highest end takes
  # the trampoline at its top. Its attributes are not looked at.
  # 'above 4KiB': cfg.addr == 0 means no room ('if ( !cfg.addr ) blexit(L"No memory
  # for trampoline");', efi_arch_pre_exit_boot), as in xen_trampoline_efi.
  # 'else none': that blexit is not this model's subject.
  place trampoline size TRAMPOLINE_SIZE \
    topdown in fw types {conventional} where entry.end <= TRAMPOLINE_MAX_END above 4KiB align PAGE \
    else none \
    cite "xen-project/xen@f324300c83^:xen/arch/x86/efi/efi-boot.h (l.181-184) 'case EfiConventionalMemory: if ( !trampoline_phys && desc->PhysicalStart + len <= 0x100000 && len >= cfg.size && desc->PhysicalStart + len > cfg.addr ) cfg.addr = (desc->PhysicalStart + len - cfg.size) & PAGE_MASK;'"
  # the type part of the switch; the attribute part is in the 'where' of E820 RAM users
  translate fw to e820 by {conventional: usable, loader_data: usable, \
      unusable: unusable, acpi_reclaim: acpi, acpi_nvs: nvs, rt_data: reserved, reserved: reserved} \
    cite "xen-project/xen@f324300c83^:xen/arch/x86/efi/efi-boot.h (l.170-199) 'default: type = E820_RESERVED; ... case EfiConventionalMemory: ... case EfiLoaderCode: case EfiLoaderData: if ( desc->Attribute & EFI_MEMORY_WB ) type = E820_RAM; else case EfiUnusableMemory: type = E820_UNUSABLE; ... case EfiACPIReclaimMemory: type = E820_ACPI; ... case EfiACPIMemoryNVS: type = E820_NVS;' [historical]"

# __start_xen(): looking backwards from the top of RAM, the crash area goes at the
# top of the highest RAM chunk that holds PAGE_ALIGN(size) (= size: a multiple of
# 2 MiB, see crash_size), in the chunk's 2 MiB-aligned interior (align SUPERPAGE,
# see crash_size).
stage start_xen after efi_arch_process_memory_map
  place crash size crash_size \
    topdown in e820 types {usable} where (entry.attrs & EFI_MEMORY_WB) != 0 \
      above PREBUILT_MAP_LIMIT align SUPERPAGE \
    else none \
    cite "xen-project/xen@f324300c83:xen/arch/x86/setup.c (l.1388-1400) 'while ( !kexec_crash_area.start ) { /* Don't overlap with modules (or Xen itself). */ e = consider_modules(s, e, PAGE_ALIGN(kexec_crash_area.size), mod, mbi->mods_count + relocated, -1);' ... 'kexec_crash_area.start = (e - kexec_crash_area.size) & PAGE_MASK;' [historical]"

# ---------------------------------------------------------------------------
# f324300c83 (2022): RUNTIME first -- E820_RESERVED; then WB -- E820_RAM; else
# E820_UNUSABLE.
model xen_efi_memmap_2022 extends xen_efi_memmap_2021
  cite "xen-project/xen@f324300c8347b6aa6f9c0b18e0a90bbf44011a9a 'EFI: don't convert memory marked for runtime use to ordinary RAM'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map) 'if ( desc->Attribute & EFI_MEMORY_RUNTIME ) type = E820_RESERVED;'"

stage start_xen
  replace place crash size crash_size \
    topdown in e820 types {usable} \
      where (entry.attrs & EFI_MEMORY_RUNTIME) == 0 and (entry.attrs & EFI_MEMORY_WB) != 0 \
      above PREBUILT_MAP_LIMIT align SUPERPAGE \
    else none \
    cite "xen-project/xen@f324300c83:xen/arch/x86/efi/efi-boot.h (efi_arch_process_memory_map, l.188-192) 'if ( desc->Attribute & EFI_MEMORY_RUNTIME ) type = E820_RESERVED; else if ( desc->Attribute & EFI_MEMORY_WB ) type = E820_RAM; else'"
