# Relocatable Xen early boot code (xen-devel, "Relocatable Xen early boot code",
# D. Kiper): a multiboot2 loader may put the image at any 2 MiB-aligned
# base the relocatable header tag allows, so the 32-bit entry code must find its
# own base and reach its symbols relative to it, while references to the
# trampoline (below 1 MiB, outside the image) must stay absolute.
#
# Sources (xen-project/xen@c447b7308b unless said; each cite quotes the code):
#   xen/arch/x86/boot/head.S (l.26-27)    sym_offs(sym) = sym - __XEN_VIRT_START; sym_esi
#   xen/arch/x86/boot/head.S (l.98-103)   MB2 relocatable tag: min sym_offs(start), max 0xffffffff, align 2 MiB
#   xen/arch/x86/boot/head.S (l.368-371)  call 1f; pop %esi; sub $sym_offs(1b),%esi
#   xen/arch/x86/arch.mk (l.4)            XEN_IMG_OFFSET := 0x200000
#   xen-project/xen@f75a30496c  relocatable tag (2017)
#   xen-project/xen@b28044226e  %esi base + sym_fs/BOOT_FS (2017)
#   xen-project/xen@021cc01eca  drop sym_fs (2020)
#
# In today's terms throughout: XEN_IMG_OFFSET = 2 MiB (it was 1 MiB until
# 7ed93f3a0d, the same day as f75a30496c; the verdicts do not depend on it).
# Offsets: sym_offs(start) = XEN_IMG_OFFSET, so a symbol at image offset `off`
# (from `start`) has sym_offs = XEN_IMG_OFFSET + off, and the physical load base
# %esi = xen_phys_start is the load address of `start` minus XEN_IMG_OFFSET.

# ---------------------------------------------------------------------------
# Before b28044226e: the 32-bit code used sym_phys(sym) = sym - __XEN_VIRT_START as
# an absolute physical address, i.e. an implicit base of 0 -- right only while the
# loader put `start` at its link address XEN_IMG_OFFSET. The thread is about what
# breaks once a loader relocates the image (the f75a30496c tag allows it).
model xen_reloc_absolute
  width 32
  cite "xen-devel post 'Relocatable Xen early boot code' (D. Kiper): 'we need relocatable Xen early boot code'; xen-project/xen@b28044226e^:xen/arch/x86/boot/head.S (l.14) '#define sym_phys(sym) ((sym) - __XEN_VIRT_START)' [historical]"

const XEN_IMG_OFFSET = 2MiB                  cite "xen-project/xen@c447b7308b:xen/arch/x86/arch.mk (l.4) 'export XEN_IMG_OFFSET := 0x200000'; xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.99-100) 'sym_offs(start), /* Min load address. */'"
const MB2_RELOC_MIN = XEN_IMG_OFFSET         cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.99-100) 'sym_offs(start), /* Min load address. */'"
const MB2_RELOC_END = 4GiB                   cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.101) '0xffffffff, /* The end of image max load address (4 GiB - 1). */': so end <= 4 GiB"
const MB2_RELOC_ALIGN = 2MiB                 cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.102) '0x200000, /* Load address alignment (2 MiB). */'"
const TRAMPOLINE_SIZE = 64KiB                cite "xen-project/xen@c447b7308b:xen/arch/x86/include/asm/trampoline.h (l.95) '#define TRAMPOLINE_SIZE KB(64)'"
const FLAT_LIMIT = 4GiB                      cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/trampoline.S (l.133) '.quad 0x00cf93000000ffff /* 0x0018: ring 0 data */': BOOT_DS is a flat 4 GiB data segment; xen-devel post 'Relocatable Xen early boot code' (D. Kiper): '%ds' ... 'start: 0, size: 4 GiB'"

# [inferred] image sizes: a few MiB today; 021cc01eca calls 16 MiB an 'arbitrary
# limit on Xen's compiled size', so sizes around and beyond it are in scope.
param image_size in [1MiB, 32MiB] align 4KiB
# The image offset (from `start`) of a 4-byte symbol the 32-bit code touches.
param sym_off in [0, 32MiB - 4]
# The image offset of the label 1b of 'call 1f; 1: pop %esi' [inferred: in .text.header].
param label_off in [0, 64KiB)
assume sym_off + 4 <= image_size
assume label_off < image_size

var esi = 0                                  # the image base register of the 32-bit code
var ds_base = 0                              # base of the data segment used for absolute references
var tramp_ref = 0                            # the linear address a trampoline reference resolves to

# The loader: GRUB honours the MB2 relocatable tag (f75a30496c); every allowed base.
stage mb2_loader
  place xen size image_size anywhere above MB2_RELOC_MIN below MB2_RELOC_END align MB2_RELOC_ALIGN \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.98-103) '/* Load address preference. */' ... 'mb2ht_init MB2_HT(RELOCATABLE), MB2_HT(OPTIONAL)'; xen-project/xen@f75a30496c 'add multiboot2 protocol support for relocatable images'"

stage head_S after mb2_loader
  # the base register: here, none (sym_phys is absolute, base 0)
  set esi = 0
  # data segments stay flat (__BOOT_DS: base 0, limit 4 GiB)
  set ds_base = 0
  # the segment through which image symbols are reached, clipped to 4 GiB
  place image_access_segment = [0, FLAT_LIMIT)
  # a 4-byte access to an image symbol: segment base + sym_offs(sym)
  place sym_ref size 4 at esi + XEN_IMG_OFFSET + sym_off
  # the trampoline lives below 1 MiB wherever the BIOS/EFI rules put it
  # (models/xen_trampoline.boot); here: any page-aligned 64 KiB block below 1 MiB,
  # never at 0 (trampoline_phys == 0 means "none"; PVH uses 0x1000)
  place trampoline size TRAMPOLINE_SIZE anywhere above 4KiB below 1MiB align 4KiB
  # trampoline_phys is an absolute address, used through the data segment
  set tramp_ref = ds_base + trampoline.start

# ---------------------------------------------------------------------------
# 2017 (b28044226e): %esi holds the load base, computed from %eip; image symbols
# are reached as sym_fs(sym) = %fs:sym_phys(sym), with a BOOT_FS descriptor whose
# base is the load base and whose limit is 0xfff pages (G=1), i.e. 16 MiB.
model xen_reloc_sym_fs extends xen_reloc_absolute
  cite "xen-project/xen@b28044226e 'x86: make Xen early boot code relocatable' ... '%esi register is used as a storage for Xen image load base address'"

const BOOT_FS_LIMIT = 16MiB                  cite "xen-project/xen@021cc01eca '.quad 0x00c0930000000fff /* 0x0030: ring 0 Xen data, 16M @ XEN */': base Xen, limit 0xfff, G=1"

stage head_S
  # call 1f; 1: pop %esi; sub $sym_offs(1b),%esi
  #   pop  -> the run-time address of 1b = load address of start + label_off
  #   sub  -> minus sym_offs(1b) = XEN_IMG_OFFSET + label_off
  replace set esi = (xen.start + label_off) - (XEN_IMG_OFFSET + label_off) \
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.367-371) '/* Calculate the load base address. */ call 1f 1: pop %esi sub $sym_offs(1b), %esi'; xen-project/xen@b28044226e '%esi register is used as a storage for Xen image load base address'"
  # %fs: base = %esi, limit 16 MiB (the part above 4 GiB is not addressable anyway)
  replace place image_access_segment = [esi, esi + min(BOOT_FS_LIMIT, FLAT_LIMIT - esi))
  # sym_fs(sym): %fs base + sym_offs(sym)
  replace place sym_ref size 4 at esi + XEN_IMG_OFFSET + sym_off

# ---------------------------------------------------------------------------
# 2020 (9f27372677, 021cc01eca): every image access is sym_esi(sym) =
# sym_offs(sym)(%esi) through the flat %ds; the 16 MiB limit is gone.
model xen_reloc_esi extends xen_reloc_sym_fs
  cite "xen-project/xen@021cc01eca 'x86/boot: Drop sym_fs()' ... 'drops an 16M arbitrary limit on Xen's compiled size'"

stage head_S
  replace place image_access_segment = [ds_base, FLAT_LIMIT)

# ---------------------------------------------------------------------------
# The alternative weighed in that thread (#2): base the data segment itself at the
# image so that image references need no register. Then absolute references
# (the trampoline, everything outside the image) resolve relative to the image.
model xen_reloc_ds_image_based extends xen_reloc_sym_fs
  cite "xen-devel post 'Relocatable Xen early boot code' (D. Kiper), solution #2: '%cs, %ds, %es, %ss should be initialized as is (start: 0, size: 4 GiB' ... 'This way we will not break references to trampoline'"

stage head_S
  replace set ds_base = esi \
    cite "[inferred] the rejected variant of solution #2 with %ds based at the image"
