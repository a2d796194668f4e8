# Where __start_xen puts the kexec crash (kdump) area when no '@start' is given, and
# whether it can land on the Xen image after a loader (xen.efi / a multiboot2 loader
# honouring the relocatable tag) placed Xen itself.
#
# Sources (xen-project/xen@c447b7308b unless said; each cite quotes the code):
#   xen/arch/x86/setup.c (l.1132)        PREBUILT_MAP_LIMIT = 2 MiB
#   xen/arch/x86/setup.c (l.1546-1643)   backward walk over RAM; consider_modules();
#                                        'while ( !kexec_crash_area.start )' loop
#   xen/common/kexec.c (l.71, l.98-198)  kexec_crash_area_limit (crashkernel=...<addr, ,below=)
#   xen-project/xen@e22e1c4795  fake module slot [_stext, __2M_rwdata_end) (EFI)
#   xen-project/xen@9589927e5b  ... whenever xen_phys_start != 0 (MB2)
#
# Scope: the dynamic kdump placement (no '@start'), with Xen already relocated by
# its loader (xen_phys_start != 0 on entry to __start_xen, 'relocated = true').
# [inferred] Not modelled: Xen relocating itself (the legacy path: that loop
# iteration then lowers 'e' to the new image start, which a 'topdown in MAP'
# cannot express per entry) and modules moved by Xen before kdump (they only
# move up, and the same avoid list applies).

model xen_kdump_no_slot
  width 64
  cite "xen-project/xen@e22e1c4795^:xen/arch/x86/setup.c (l.1094-1098) 'while ( !kexec_crash_area.start )' ... '/* Don't overlap with modules. */' ... 'mod, mbi->mods_count, -1);' [historical]"

const PREBUILT_MAP_LIMIT = 2MiB              cite "xen-project/xen@c447b7308b:xen/arch/x86/setup.c (l.1132) '#define PREBUILT_MAP_LIMIT (1 << L2_PAGETABLE_SHIFT)'"
const XEN_MIN_LOAD = 2MiB                    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.100) 'sym_offs(start), /* Min load address. */'; xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (l.789) 'blexit(L\"Xen must be loaded at a 2Mb boundary.\");'"
const XEN_ALIGN = 2MiB                       cite "xen-project/xen@c447b7308b:xen/arch/x86/xen.lds.S (l.398) 'ASSERT(IS_ALIGNED(_start, MB(2)), \"_start misaligned\")'"
const TRAMPOLINE_SIZE = 64KiB                cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.95) '#define TRAMPOLINE_SIZE KB(64)'"

# [_stext, __2M_rwdata_end): the image as setup.c reserves it, a 2 MiB multiple.
# [inferred] realistic image sizes.
param image_size in [2MiB, 32MiB] align 2MiB
# dom0 kernel and initrd as the loader left them (page-aligned: MODULE_ALIGN tag).
# [inferred] realistic sizes.
param mod0_size in [4KiB, 64MiB] align 4KiB
param mod1_size in [4KiB, 512MiB] align 4KiB
# crashkernel=<size> (or the ramsize-range table); PAGE_ALIGN'ed by setup.c.
# [inferred] realistic sizes.
param crash_size in [16MiB, 512MiB] align 4KiB
# crashkernel=...<limit or ,below=limit; 64 GiB is the end of the map below, so it
# also stands for the default limit ~0 (no limit).
param crash_limit in [4MiB, 64GiB] align 4KiB \
  cite "xen-project/xen@c447b7308b:xen/common/kexec.c (l.71) 'paddr_t __initdata kexec_crash_area_limit = ~(paddr_t)0;'; xen-project/xen@c447b7308b:xen/common/kexec.c (l.181-183) 'kexec_crash_area_limit = parse_size_and_unit(cur = str + 1, &str);'"

# The boot E820. 6 entries cover every map with at most 6 entries (empty entries
# stand for fewer). Entries are 2 MiB-aligned: setup.c only uses the 2 MiB-aligned
# interior of each RAM entry (s rounded up, e rounded down), so this loses nothing
# the loop can see. [inferred] RAM below 64 GiB is enough to show every case.
map ram : e820 symbolic 6 types {usable, reserved, acpi, nvs, unusable} within [0, 64GiB) align 2MiB

# The loader placed Xen, the modules and (via head.S/EFI) the trampoline. Their
# positions are the loader's free choice within the protocol's rules.
stage loader
  place xen size image_size anywhere above XEN_MIN_LOAD below 4GiB align XEN_ALIGN \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.98-103) 'mb2ht_init MB2_HT(RELOCATABLE), MB2_HT(OPTIONAL)'; xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (l.789) 'Xen must be loaded at a 2Mb boundary.'"
  place mod0 size mod0_size anywhere below 4GiB align 4KiB avoid xen \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/setup.c (l.1501-1503) 'if ( bi->mods[i].start & (PAGE_SIZE - 1) )' ... 'panic(\"Bootloader didn't honor module alignment request\n\");'; xen-project/xen@c447b7308b:xen/include/xen/multiboot.h (l.113) 'uint32_t mod_start;': multiboot modules are loaded below 4 GiB (32-bit fields), outside the image"
  place mod1 size mod1_size anywhere below 4GiB align 4KiB avoid xen, mod0
  place trampoline size TRAMPOLINE_SIZE anywhere above 4KiB below 1MiB align 4KiB \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.707) '/* Copy bootstrap trampoline to low memory, below 1MB. */' (models/xen_trampoline.boot places it exactly)"

# __start_xen: walk RAM entries from the top; in each, consider_modules() gives the
# highest end whose PAGE_ALIGN(size) block avoids the listed modules, capped at
# kexec_crash_area_limit; start = (e - size) & PAGE_MASK. That is the highest fit,
# i.e. a top-down first fit.
# When nothing fits Xen just leaves kdump disabled ("Kdump: DISABLED"), which is no
# error: 'else none' leaves the crash area empty on those runs (an empty region is
# within anything and disjoint from everything), so the boot goes on without it.
stage start_xen after loader
  place crash size crash_size \
    topdown in ram types {usable} above PREBUILT_MAP_LIMIT below crash_limit align 4KiB \
      avoid mod0, mod1 \
    else none \
    cite "xen-project/xen@e22e1c4795^:xen/arch/x86/setup.c (l.1096-1098) '/* Don't overlap with modules. */ e = consider_modules(s, e, PAGE_ALIGN(kexec_crash_area.size), mod, mbi->mods_count, -1);' [historical]: before e22e1c4795 only the modules"

# ---------------------------------------------------------------------------
# e22e1c4795 (EFI) / 9589927e5b (multiboot2): when xen_phys_start != 0 on entry,
# mod[mbi->mods_count] = [_stext, __2M_rwdata_end) and consider_modules() is
# called with mbi->mods_count + relocated, so the image is avoided too.
model xen_kdump_slot extends xen_kdump_no_slot
  cite "xen-project/xen@e22e1c4795 'Introduce a fake module slot to deal with that without having to fiddle with a lot of code.'"
  cite "xen-project/xen@9589927e5b 'Multiboot2 compatible bootloaders are able to relocate Xen image too. So, we have to avoid also Xen image region in such cases.'"

stage start_xen
  replace place crash size crash_size \
    topdown in ram types {usable} above PREBUILT_MAP_LIMIT below crash_limit align 4KiB \
      avoid mod0, mod1, xen \
    else none \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/setup.c (l.1630-1632) '/* Don't overlap with modules (or Xen itself). */' ... 'bi->nr_modules + relocated, -1);'; xen-project/xen@c447b7308b:xen/arch/x86/setup.c (l.1516-1517) 'xen->start = virt_to_maddr(_stext); xen->size = __2M_rwdata_end - _stext;'"
