# x86 boot entry paths of Xen: BIOS (multiboot), EFI (xen.efi) and PVH
# (HVMlite), sharing the later stages (reloc, __start_xen, arch_init_memory).
# The xen-devel thread "HVMLite / PVHv2 - using x86 EFI boot entry" (2016-04-06) asks whether a PVH guest should come in through the EFI entry
# instead of a dedicated one; the answer there is that EFI *boot services*
# do not exist under PVH ("EFI boot services are a different story however,
# and the EFI boot stub would need to be changed to handle that").
#
# What is modelled:
#   * the entry chosen by the loader (boot : enum {bios, efi, pvh});
#   * whether EFI boot services can be called (flag bs_alive): true from the
#     EFI entry until ExitBootServices, never on BIOS or PVH;
#   * the trampoline: fixed at 0x1000 under PVH, and, in outline only, below
#     the EBDA (BIOS) or from AllocatePages below 1 MiB (EFI). The detailed
#     BIOS/EFI trampoline placement is models/xen_trampoline.boot (another
#     modeller); do not read BIOS/EFI verdicts off this file.
#
# Sources (xen-project/xen@c447b7308b; each cite quotes the code, and
# 'bootspec cite check --source xen=DIR' checks them against a Xen checkout):
#   xen/arch/x86/boot/head.S       __pvh_start, trampoline_phys = PAGE_SIZE under PVH,
#                                  trampoline_bios_setup
#   xen/arch/x86/mm.c              arch_init_memory: BUG_ON(pvh_boot && trampoline_phys != 0x1000)
#   xen/arch/x86/efi/efi-boot.h    efi_arch_memory_setup, efi_arch_pre_exit_boot
#   xen/arch/x86/include/asm/trampoline.h   TRAMPOLINE_SIZE = KB(64)
#   xen/common/efi/boot.c          efi_exit_boot: ExitBootServices

model entry_paths
  width 32
  cite "xen-devel post 2016-04-06 'HVMLite / PVHv2 - using x86 EFI boot entry' (M. Fleming): 'EFI boot services are a different story however, and the EFI boot stub would need to be changed to handle that'"
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (__pvh_start, l.338-340) 'ELFNOTE(Xen, XEN_ELFNOTE_PHYS32_ENTRY, .long sym_offs(__pvh_start))'; xen-project/xen@c447b7308b:xen/arch/x86/mm.c (arch_init_memory, l.292) 'BUG_ON(pvh_boot && trampoline_phys != 0x1000);'; xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup, l.646) 'efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData,'"

const TRAMPOLINE_SIZE = 64KiB      cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.95) '#define TRAMPOLINE_SIZE KB(64)'"
const PAGE = 4KiB
const PVH_TRAMPOLINE = 0x1000      cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.415-416) 'movl $PAGE_SIZE, sym_esi(trampoline_phys)'"

param boot : enum {bios, efi, pvh}
# BIOS outline: an EBDA start that trampoline_bios_setup accepts (segment in
# [0x4000, 0xA000)); the real rules (0x413 fallback, mem_lower) are in
# models/xen_trampoline.boot.
param ebda_start in [0x40000, 0x9FFF0] align 16   cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.481-485) 'cmp $0xa000,%ecx' ... 'cmp $0x4000,%ecx' (outline)"

flag bs_alive = false              # EFI boot services callable

# --- entries: one root per way of entering Xen
stage bios_entry when boot == bios
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (__start, l.424-430) 'cmp $MULTIBOOT2_BOOTLOADER_MAGIC,%eax' ... 'cmp $MULTIBOOT_BOOTLOADER_MAGIC,%eax': a multiboot entry from a BIOS boot loader, no EFI"
stage efi_entry when boot == efi
  cite "xen-project/xen@c447b7308b:xen/common/efi/boot.c (efi_start, l.1428) 'void EFIAPI __init noreturn efi_start(EFI_HANDLE ImageHandle,': entered from UEFI firmware with boot services"
  set bs_alive = true
stage pvh_entry when boot == pvh
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (__pvh_start, l.340-341) 'mov $XEN_HVM_START_MAGIC_VALUE, %eax'; xen-project/xen@c447b7308b:docs/misc/pvh.pandoc (l.16-17) '`ebx`: contains the physical memory address where the loader has placed the boot start info structure.': no firmware at all"

# --- trampoline placement per entry
stage bios_trampoline after bios_entry
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (trampoline_bios_setup, l.480) '/* Set up trampoline segment 64k below EBDA */' (outline: 64 KiB below the EBDA, 4 KiB aligned)"
  place trampoline size TRAMPOLINE_SIZE at align_down(ebda_start - TRAMPOLINE_SIZE, PAGE) type trampoline
stage efi_boot_services after efi_entry
  cite "xen-project/xen@c447b7308b:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup, l.639-647) 'cfg.addr = 0x100000;' ... 'efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData,'"
  # the firmware chooses; an outline of AllocateMaxAddress below 1 MiB
  place trampoline size TRAMPOLINE_SIZE anywhere below 0x100000 align PAGE type trampoline
stage efi_exit_boot_services after efi_boot_services
  cite "xen-project/xen@c447b7308b:xen/common/efi/boot.c (efi_exit_boot, l.1380-1384) 'efi_arch_pre_exit_boot();' ... 'status = SystemTable->BootServices->ExitBootServices(ImageHandle,' ... 'efi_bs = NULL;'"
  set bs_alive = false
stage pvh_trampoline after pvh_entry
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.415-417) '/* Set trampoline_phys to use mfn 1 to avoid having a mapping at VA 0 */' ... 'jmp trampoline_setup': no search"
  place trampoline size TRAMPOLINE_SIZE at PVH_TRAMPOLINE type trampoline

# --- shared later stages
stage reloc after bios_trampoline, pvh_trampoline
  cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/reloc.c (reloc, l.352) 'memctx ctx = { trampoline_phys + TRAMPOLINE_HEAP_END };': copies the MBI or hvm_start_info into the trampoline heap"
stage start_xen after reloc, efi_exit_boot_services
  cite "xen-project/xen@c447b7308b:xen/arch/x86/setup.c (l.1134) 'void asmlinkage __init noreturn __start_xen(void)': common to all entries"
stage arch_init_memory after start_xen
  cite "xen-project/xen@c447b7308b:xen/arch/x86/mm.c (arch_init_memory, l.276) 'void __init arch_init_memory(void)'"
  assert entry_pvh_trampoline_bug_on: boot != pvh or trampoline.start == PVH_TRAMPOLINE   cite "xen-project/xen@c447b7308b:xen/arch/x86/mm.c (arch_init_memory, l.292) 'BUG_ON(pvh_boot && trampoline_phys != 0x1000);'"

# The design debated in that thread: PVH enters through the EFI entry/stub
# instead of a dedicated one. The stub then calls boot services that do not
# exist under PVH, and the trampoline comes from AllocatePages instead of the
# fixed 0x1000 that arch_init_memory insists on.
model entry_paths_pvh_via_efi_stub extends entry_paths
  cite "xen-devel post 2016-04-06 'HVMLite / PVHv2 - using x86 EFI boot entry' (G. Dunlap, quoted): 'take an interface designed for hardware (EFI) and put in hacks so that it knows that sometimes some EFI services are not available'"
  cite "xen-devel post 2016-04-06 'HVMLite / PVHv2 - using x86 EFI boot entry' (M. Fleming): 'EFI boot services are a different story however, and the EFI boot stub would need to be changed to handle that'"
expect entry_pvh_trampoline_bug_on violated   cite "xen-project/xen@c447b7308b:xen/arch/x86/mm.c (arch_init_memory, l.292) 'BUG_ON(pvh_boot && trampoline_phys != 0x1000);': it assumes the PVH entry put the trampoline at 0x1000"
stage efi_boot_services after efi_entry, pvh_entry
# the dedicated PVH trampoline setup does not exist in this design
# LIMITATION: a stage cannot be removed in an 'extends'; 'when false' disables it.
stage pvh_trampoline after pvh_entry when false
