# Xen's early EFI boot allocator: where the command-line strings and the EFI
# memory-map buffer go, under xen.efi and under multiboot2 on EFI (xen-devel,
# "[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator", D. Kiper).
#
# Sources (each cite quotes the code; 'bootspec cite check' checks them):
#   xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h
#       place_string: 'static char *alloc = start; ... alloc -= len1 + len2;'
#       efi_arch_allocate_mmap_buffer: mem_upper = (strings floor - map_size) & -8,
#       NULL if below xen_phys_start
#   xen-project/xen@c5b9805bc1  ebmalloc (2017-02-22)
#   xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c  1 MiB static pool in .bss.page_aligned
#   xen/common/efi/boot.c (efi_exit_boot): info_size += 8 * efi_mdesc_size before
#       efi_arch_allocate_mmap_buffer(info_size)
#
# Paths: xen.efi (LoadImage placed the PE image; `start` lies 1 MiB into it) and
# multiboot2 on EFI (GRUB loaded the ELF image at its link address: `start` at 1 MiB).

model xen_early_alloc_place_string
  width 64
  cite "xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h (place_string, efi_arch_allocate_mmap_buffer) 'static char *__initdata alloc = start;' ... 'alloc -= len1 + len2;' [historical]"
  cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'place_string() ... gets memory chunks starting from start symbol and going down. Sadly this does not work when Xen is loaded using multiboot2 protocol because start lives on 1 MiB address'"

const START_MB2 = 1MiB                       cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'start lives on 1 MiB address'; the image was at 1 MiB before xen-project/xen@7ed93f3a0d 'change default load address from 1 MiB to 2 MiB'"
const XEN_EFI_START_OFFSET = 1MiB            cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'Jan Beulich suggested that just in case we should use 1 MiB memory pool like it was in original place_string() implementation': for xen.efi [xen_phys_start, start) (1 MiB) was the implicit pool"
const EFI_DESC_ALIGN = 8                     cite "xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h (efi_arch_allocate_mmap_buffer, l.206-214) 'mbi.mem_upper &= -__alignof__(EFI_MEMORY_DESCRIPTOR);' [historical]: UINT64 fields"
const MMAP_SLACK = 8                         cite "xen-project/xen@c5b9805bc1^:xen/common/efi/boot.c (l.866-867) 'info_size += 8 * efi_mdesc_size; efi_memmap = efi_arch_allocate_mmap_buffer(info_size);'"

param boot : enum {xen_efi, mb2_efi}
# Where LoadImage put xen.efi (xen_phys_start); Xen insists on 2 MiB alignment.
# [inferred] any such base below 4 GiB that leaves room for the image.
param xen_efi_base in [2MiB, 4GiB - 64MiB] align 2MiB \
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_load_addr_check) 'Xen must be loaded at a 2Mb boundary.'"
# [inferred] realistic image sizes (the xen.efi image includes its 1 MiB head).
param image_size in [4MiB, 32MiB] align 4KiB
# The firmware's memory map, in descriptors. >200 seen on an IBM x3550 M2 (the thread),
# 270 in the project's corpus, 116 on a KVM guest (data/memmaps/ml-linux-pci-66e5d45589).
# [inferred] 1024 as a generous upper bound.
param map_entries in [1, 1024]               cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'memory map may contain more than 200 entries'"
# DescriptorSize: sizeof(EFI_MEMORY_DESCRIPTOR) = 40 on x86-64 (the thread); EDK2
# reports 40 + 8 = 48 on purpose so callers must use DescriptorSize.
param desc_size in {40, 48} \
  cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'Every entry on x86-64 platform is 40 bytes'; tianocore/edk2@c5aa7e7d94:MdeModulePkg/Core/Dxe/DxeMain/DxeMain.c (gRuntimeTemplate, l.178) 'sizeof (EFI_MEMORY_DESCRIPTOR) + sizeof (UINT64) - (sizeof (EFI_MEMORY_DESCRIPTOR) % sizeof (UINT64)),'"
# Every place_string() allocation on the xen.efi path together (Xen and module
# command lines; each call copies the string built so far).
# [inferred] the thread estimates 'about 1 KiB'; 16 KiB is a generous bound.
param strings_bytes in [0, 16KiB]            cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'for Xen and modules command line storage' ... 'about 1 KiB'"

# The firmware memory map below 4 GiB (every allocation here is below 4 GiB).
# 6 entries cover every map with at most 6 descriptors there (empty entries stand
# for fewer); EFI pages are 4 KiB.
map fw : efi symbolic 6 types {conventional, bs_code, bs_data, loader_code, loader_data, \
  reserved, rt_code, rt_data, acpi_reclaim, acpi_nvs, mmio, unusable} within [0, 4GiB) align 4KiB

# The Xen image as the loader placed it.
region xen size image_size at (if boot == mb2_efi then START_MB2 else xen_efi_base)

# place_string's pool: down from `start`; the floor is xen_phys_start, which is
# the image base for xen.efi and 0 under multiboot2 (not relocated) -- no bound.
pool strings = [if boot == mb2_efi then 0 else xen.start, \
                xen.start + (if boot == mb2_efi then 0 else XEN_EFI_START_OFFSET)) down \
  cite "xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h (place_string, efi_arch_allocate_mmap_buffer) 'static char *__initdata alloc = start;' ... 'if ( mbi.mem_upper < xen_phys_start ) return NULL;' [historical]"

# xen.efi: the firmware's LoadImage allocated the image, so the map shows loader
# memory there. [inferred] the image is EfiLoaderCode (UEFI LoadImage of an application).
stage efi_loader when boot == xen_efi
  reserve xen in fw as loader_code \
    cite "assumption: the image memory was allocated by LoadImage, so it is not boot-services memory [inferred]"
  place xen_strings size strings_bytes from strings \
    cite "xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h (place_string, l.125) 'alloc -= len1 + len2;' [historical]: no alignment"

# multiboot2 on EFI: GRUB allocated the image pages at the link address.
# [inferred] GRUB's EFI allocations are EfiLoaderData.
stage grub_mb2 when boot == mb2_efi
  reserve xen in fw as loader_data \
    cite "assumption: GRUB allocated the image memory, so it is not boot-services memory [inferred]"

# efi_exit_boot (xen.efi) / efi_multiboot2: GetMemoryMap size + 8 spare descriptors,
# carved below the strings, aligned down to 8.
stage efi_exit_boot after efi_loader, grub_mb2
  place efi_mmap size (map_entries + MMAP_SLACK) * desc_size from strings align EFI_DESC_ALIGN \
    cite "xen-project/xen@c5b9805bc1^:xen/arch/x86/efi/efi-boot.h (efi_arch_allocate_mmap_buffer, l.206-214) 'place_string(&mbi.mem_upper, NULL); mbi.mem_upper -= map_size;' [historical]; xen-project/xen@c5b9805bc1^:xen/common/efi/boot.c (l.866) 'info_size += 8 * efi_mdesc_size;'"

# ---------------------------------------------------------------------------
# The thread's first attempt under multiboot2: start place_string() at mem_lower (the
# top of lower memory that GRUB reports) instead of at `start`. Still no lower
# bound, and still below 1 MiB: 'it works only on some machines'.
model xen_early_alloc_mem_lower extends xen_early_alloc_place_string
  cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'So, I tried to use mem_lower address calculated by GRUB2. However, it works only on some machines.'"

# multiboot2 basic meminfo mem_lower, KiB (at most 640). [inferred] >= 256 KiB.
param mem_lower_kib in [256, 640]            cite "coreos/grub@c6b9a0af3d:grub-core/loader/multiboot_mbi2.c (l.874) 'tag->mem_lower = grub_mmap_get_lower () / 1024;'; multiboot2 spec: mem_lower, lower memory in KiB, at most 640"

pool strings = [if boot == mb2_efi then 0 else xen.start, \
                if boot == mb2_efi then mem_lower_kib * 1KiB else xen.start + XEN_EFI_START_OFFSET) down \
  cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper): 'So, I tried to use mem_lower address calculated by GRUB2.': allocate down from mem_lower under multiboot2"

# ---------------------------------------------------------------------------
# c5b9805bc1 (2017): ebmalloc, a static 1 MiB bump allocator in .bss, inside the image.
model xen_early_alloc_ebmalloc extends xen_early_alloc_place_string
  cite "xen-project/xen@c5b9805bc1 'efi: create new early memory allocator'"
  cite "xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c (ebmalloc, l.23-38) 'void *ptr = ebmalloc_mem + ebmalloc_allocated;'"

const EBMALLOC_SIZE = 1MiB                   cite "xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c (l.20) '#define EBMALLOC_SIZE MB(1)'"
const EBMALLOC_ROUND = 8                     cite "xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c (l.32) 'ebmalloc_allocated += ROUNDUP(size, sizeof(void *));'"
# Offset of ebmalloc_mem[] in the image: .bss.page_aligned, page aligned.
# [inferred] anywhere in the image that leaves room for the array.
param ebmalloc_off in [0, 31MiB] align 4KiB  cite "xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c (l.23-24) 'static char __section(\".bss.page_aligned\") __aligned(PAGE_SIZE) ebmalloc_mem[EBMALLOC_SIZE];'"
assume ebmalloc_off + EBMALLOC_SIZE <= image_size

pool ebmalloc = [xen.start + ebmalloc_off, xen.start + ebmalloc_off + EBMALLOC_SIZE) up \
  cite "xen-project/xen@c447b7308b:xen/common/efi/ebmalloc.c (l.24-30) 'ebmalloc_mem[EBMALLOC_SIZE];' ... 'void *ptr = ebmalloc_mem + ebmalloc_allocated;'"

stage efi_loader
  replace place xen_strings size strings_bytes from ebmalloc align EBMALLOC_ROUND \
    cite "xen-project/xen@c5b9805bc1:xen/arch/x86/efi/efi-boot.h (place_string, l.125) 'alloc = ebmalloc(len1 + len2);'"

stage efi_exit_boot
  replace place efi_mmap size (map_entries + MMAP_SLACK) * desc_size from ebmalloc align EBMALLOC_ROUND \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_allocate_mmap_buffer, l.222-225) 'return ebmalloc(map_size);'"

# ---------------------------------------------------------------------------
# The thread's option 1 (as Linux does): get the buffer from EFI AllocatePages and
# reserve it in the E820 later. AllocatePages has AllocateMaxAddress but no
# minimum address, so any free pages are a legal answer; the thread expects
# 'crazy platforms which allocate memory from 0-1 MiB region'. Such a firmware
# allocating from the bottom is modelled here. [inferred]
model xen_early_alloc_allocate_pages extends xen_early_alloc_place_string
  cite "xen-devel post '[PATCH v3 12/16 - RFC] x86/efi: create new early memory allocator' (D. Kiper), option 1: 'It allocates buffer for memory map using EFI API and later reserve it in e820 memory map.'"

stage efi_exit_boot
  replace place efi_mmap size align_up((map_entries + MMAP_SLACK) * desc_size, 4KiB) \
    bottomup in fw types {conventional} below 4GiB align 4KiB \
    cite "tianocore/edk2@c5aa7e7d94:MdeModulePkg/Core/Dxe/Mem/Page.c (CoreFindFreePagesI) 'if (Entry->Type != EfiConventionalMemory) {': AllocatePages hands out free pages below the maximum; the lowest-first order is the crazy platform's [inferred]"
  # the pages now belong to the loader; Xen would reserve them in its E820 later
  reserve efi_mmap in fw as loader_data

# No free pages large enough: efi_exit_boot stops.
expect fits@L131 violated \
  cite "xen-project/xen@c447b7308b:xen/common/efi/boot.c (efi_exit_boot, l.1362-1365) 'blexit(L\"Unable to allocate memory for EFI memory map\");'"
