# x86 boot entry paths of Xen: BIOS (multiboot), EFI (xen.efi) and PVH
# (HVMlite), sharing the later stages (reloc, __start_xen, arch_init_memory).
# Seed 004 ("HVMlite / PVHv2 - using x86 EFI boot entry", xen-devel/LKML
# 2016-04-06) asks whether a PVH guest should come in through the EFI entry
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
# Sources (XEN = xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0,
# line numbers as recorded in /work/shared/domain/boot-facts.md):
#   XEN:xen/arch/x86/boot/head.S (l.337-418 __pvh_start; l.415-416 trampoline_phys = PAGE_SIZE under PVH;
#                                 l.476-507 trampoline_bios_setup)
#   XEN:xen/arch/x86/mm.c (arch_init_memory, l.286-294: BUG_ON(pvh_boot && trampoline_phys != 0x1000))
#   XEN:xen/arch/x86/efi/efi-boot.h (efi_arch_memory_setup l.632-653, fallback l.171-183,
#                                    efi_arch_pre_exit_boot l.227-235)
#   XEN:xen/arch/x86/include/asm/trampoline.h (l.95-97: TRAMPOLINE_SIZE = KB(64))
#   XEN:xen/common/efi/boot.c (efi_exit_boot: ExitBootServices, "Cannot exit boot services"; no line number recorded)

model entry_paths
  width 32
  cite "seed 004 (M. Fleming, 2016-04-06): 'EFI boot services are a different story however, and the EFI boot stub would need to be changed to handle that'"
  cite "xen-project/xen@c447b7308b1330ec6dcfef37220736c28f41daa0: xen/arch/x86/boot/head.S, xen/arch/x86/mm.c, xen/arch/x86/efi/efi-boot.h"

const TRAMPOLINE_SIZE = 64KiB      cite "XEN:xen/arch/x86/include/asm/trampoline.h l.95: TRAMPOLINE_SIZE = KB(64)"
const PAGE = 4KiB
const PVH_TRAMPOLINE = 0x1000      cite "XEN:xen/arch/x86/boot/head.S l.415-416: trampoline_phys = PAGE_SIZE under PVH"

param boot : enum {bios, efi, pvh}
# BIOS outline: an EBDA start that trampoline_bios_setup accepts (segment in
# [0x4000, 0xA000)); the real rules (0x413 fallback, mem_lower) are in
# models/xen_trampoline.boot.
param ebda_start in [0x40000, 0x9FFF0] align 16   cite "XEN:head.S l.476-507 (outline)"

flag bs_alive = false              # EFI boot services callable

# --- entries: one root per way of entering Xen
stage bios_entry when boot == bios
  cite "XEN:head.S __start: multiboot entry from a BIOS boot loader; no EFI"
stage efi_entry when boot == efi
  cite "XEN:xen/common/efi/boot.c efi_start: entered from UEFI firmware with boot services"
  set bs_alive = true
stage pvh_entry when boot == pvh
  cite "XEN:head.S l.337-418 __pvh_start: %ebx = hvm_start_info, no firmware at all (docs/misc/pvh.pandoc)"

# --- trampoline placement per entry
stage bios_trampoline after bios_entry
  cite "XEN:head.S l.476-507 trampoline_bios_setup (outline): 64 KiB below the EBDA, 4 KiB aligned"
  place trampoline size TRAMPOLINE_SIZE at align_down(ebda_start - TRAMPOLINE_SIZE, PAGE) type trampoline
stage efi_boot_services after efi_entry
  cite "XEN:efi-boot.h l.632-653 efi_arch_memory_setup: AllocatePages(AllocateMaxAddress, EfiLoaderData, ..., 0x100000)"
  # the firmware chooses; an outline of AllocateMaxAddress below 1 MiB
  place trampoline size TRAMPOLINE_SIZE anywhere below 0x100000 align PAGE type trampoline
stage efi_exit_boot_services after efi_boot_services
  cite "XEN:efi-boot.h l.227-235 efi_arch_pre_exit_boot, then ExitBootServices (common/efi/boot.c efi_exit_boot)"
  set bs_alive = false
stage pvh_trampoline after pvh_entry
  cite "XEN:head.S l.415-416: under PVH trampoline_phys = PAGE_SIZE, no search"
  place trampoline size TRAMPOLINE_SIZE at PVH_TRAMPOLINE type trampoline

# --- shared later stages
stage reloc after bios_trampoline, pvh_trampoline
  cite "XEN:xen/arch/x86/boot/reloc.c: copies the MBI or hvm_start_info into the trampoline heap"
stage start_xen after reloc, efi_exit_boot_services
  cite "XEN:xen/arch/x86/setup.c __start_xen: common to all entries"
stage arch_init_memory after start_xen
  cite "XEN:xen/arch/x86/mm.c l.286-294 arch_init_memory"
  assert entry_pvh_trampoline_bug_on: boot != pvh or trampoline.start == PVH_TRAMPOLINE   cite "XEN:mm.c l.292: BUG_ON(pvh_boot && trampoline_phys != 0x1000)"

# The design debated in seed 004: PVH enters through the EFI entry/stub
# instead of a dedicated one. The stub then calls boot services that do not
# exist under PVH, and the trampoline comes from AllocatePages instead of the
# fixed 0x1000 that arch_init_memory insists on.
model entry_paths_pvh_via_efi_stub extends entry_paths
  cite "seed 004 (G. Dunlap): 'take an interface designed for hardware (EFI) and put in hacks so that it knows that sometimes some EFI services are not available'"
  cite "seed 004 (M. Fleming): 'EFI boot services are a different story however, and the EFI boot stub would need to be changed to handle that'"
expect entry_pvh_trampoline_bug_on violated   cite "XEN:mm.c l.292: the BUG_ON assumes the PVH entry put the trampoline at 0x1000"
stage efi_boot_services after efi_entry, pvh_entry
# the dedicated PVH trampoline setup does not exist in this design
# LIMITATION: a stage cannot be removed in an 'extends'; 'when false' disables it.
stage pvh_trampoline after pvh_entry when false
