# OVMF (QEMU, X64 DXE) sizing its permanent PEI memory: a cap at the top of low
# RAM computed from the DXE page tables plus 64 MiB, out of which CpuMpPei takes
# one stack per possible CPU -- until 2024 the cap did not count those stacks, and
# guests with ~2048 vCPUs ran out of PEI memory.
#
# Sources (EDK2 = tianocore/edk2@c5aa7e7d94c0e6b3c0202e15dbf7a5c92dd6a01d):
#   tianocore/edk2@8757e648d11357b663331f6ed1cdb2ab017df178 (2024-02-14, G. Hoffmann)
#       "OvmfPkg/PlatformPei: consider AP stacks for pei memory cap"
#   8757e648d1^:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap l.180-243, PublishPeiMemory)
#   8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap l.180-253, PublishPeiMemory l.264-345)
#   8757e648d1:UefiCpuPkg/Library/MpInitLib/MpLib.c (MpInitLibInitialize l.2070-2096)  the MP buffer
#   8757e648d1:UefiCpuPkg/UefiCpuPkg.dec (l.247)   PcdCpuApStackSize 0x8000
#   8757e648d1:OvmfPkg/OvmfPkgX64.fdf (l.104-105), OvmfPkgDefines.fdf.inc (l.106)  DXEFV, MEMFD
#   8757e648d1:OvmfPkg/Library/PlatformInitLib/MemDetect.c (l.923-957)  PhysMemAddressWidth
#   8757e648d1:MdePkg/Include/Base.h (l.934, l.948), MdePkg/Include/Uefi/UefiBaseType.h (l.186-213)
#   boot-facts.md §2.3.
#
# What is modelled: normal boot (not S3 resume), no SMM; the permanent PEI memory
# the PEI core allocates pages from, top down; CpuMpPei's MP buffer (AP stacks and
# per-CPU data), DxeIpl's identity-map page tables, and every other PEI page
# allocation as one block.
# Not modelled: the S3 reserved area (S3Supported), TSEG (SmmSmramRequire).

model ovmf_pei_memory_2023
  width 64
  cite "tianocore/edk2@8757e648d11357b663331f6ed1cdb2ab017df178^:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, PublishPeiMemory) 'return (UINT32)(EFI_PAGES_TO_SIZE (TotalPages) + SIZE_64MB);' [historical]"

const EFI_PAGE_SHIFT = 12                    cite "tianocore/edk2@8757e648d1:MdePkg/Include/Uefi/UefiBaseType.h (l.187) '#define EFI_PAGE_SHIFT 12'"
const EFI_PAGE_MASK = 0xFFF                  cite "tianocore/edk2@8757e648d1:MdePkg/Include/Uefi/UefiBaseType.h (l.186) '#define EFI_PAGE_MASK 0xFFF'"
const SIZE_64MB = 64MiB                       cite "tianocore/edk2@8757e648d1^:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap) 'Add 64 MB for miscellaneous allocations.'"
# PcdOvmfDxeMemFvBase + PcdOvmfDxeMemFvSize = 0x800000 + 0x100000 + 0xE80000
# (MEMFD_BASE_ADDRESS 0x800000: OvmfPkg/Include/Fdf/OvmfPkgDefines.fdf.inc l.106)
const MEMORY_BASE = 0x800000 + 0x100000 + 0xE80000 \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/OvmfPkgX64.fdf (l.104-105) '0x100000|0xE80000' ... 'gUefiOvmfPkgTokenSpaceGuid.PcdOvmfDxeMemFvBase|gUefiOvmfPkgTokenSpaceGuid.PcdOvmfDxeMemFvSize' [historical]"
const AP_STACK_SIZE = 0x8000                 cite "tianocore/edk2@8757e648d1:UefiCpuPkg/UefiCpuPkg.dec (l.247) 'gUefiCpuPkgTokenSpaceGuid.PcdCpuApStackSize|0x8000|UINT32|0x00000003'"
# MonitorFilterSize + sizeof (CPU_AP_DATA) + sizeof (CPU_INFO_IN_HOB), per CPU.
# [inferred] at most 512 bytes.
const PER_CPU_DATA = 512
# ApResetVectorSizeBelow1Mb + IDT + sizeof (CPU_MP_DATA). [inferred] at most 64 KiB.
const MP_FIXED_DATA = 64KiB

# PhysMemAddressWidth: at least 36, from the highest guest-physical address.
param phys_bits in [36, 52] \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/Library/PlatformInitLib/MemDetect.c (l.939-954) 'if (PhysMemAddressWidth <= 36) { PhysMemAddressWidth = 36; } ... ASSERT (PhysMemAddressWidth <= 52);'"
# CPUID says 1 GiB pages and PcdUse1GPageTable is set.
param page_1g : bool                         cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap) 'if ((RegEdx & BIT26) != 0) { Page1GSupport = TRUE; }'"
# PcdCpuMaxLogicalProcessorNumber, from QEMU's maxcpus.
param max_cpus in [1, 4096]                  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap) 'With 32k stacks and 4096 vcpus this lands at 128 MB'"
# LowerMemorySize: guest RAM below 4 GiB. [inferred] 32 MiB .. 3 GiB, 1 MiB steps.
param lower_memory_size in [32MiB, 3GiB] align 1MiB
# Every other page allocation from permanent PEI memory (PEI core stack and HOB
# copies, other PEIMs). [inferred] at most 32 MiB: within the 64 MiB the cap sets
# aside for "miscellaneous allocations", with room to spare.
param misc_size in [0, 32MiB] align 4KiB

# GetPeiMemoryCap(): the pages CreateIdentityMappingPageTables() will need.
# '1 << (PhysMemAddressWidth - 39)' is written '(1 << phys_bits) >> 39' (a shift
# count must be a parameter name).
var pml4_entries = if phys_bits <= 39 then 1 else if phys_bits > 48 then 0x200 else (1 << phys_bits) >> 39 \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.220-231) 'Pml4Entries = 1; ... if (PlatformInfoHob->PhysMemAddressWidth > 48) { Pml4Entries = 0x200; } else { Pml4Entries = 1 << (PlatformInfoHob->PhysMemAddressWidth - 39); }' [historical]"
var pdp_entries = if phys_bits <= 39 then (1 << phys_bits) >> 30 else 512 \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.222, l.232) 'PdpEntries = 1 << (PlatformInfoHob->PhysMemAddressWidth - 30); ... PdpEntries = 512;' [historical]"
var total_pages = if page_1g then pml4_entries + 1 else (pdp_entries + 1) * pml4_entries + 1 \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.235-236) 'TotalPages = Page1GSupport ? Pml4Entries + 1 : (PdpEntries + 1) * Pml4Entries + 1;' [historical]"
# 'return (UINT32)(EFI_PAGES_TO_SIZE (TotalPages) + SIZE_64MB);'
var pei_memory_cap = u32((total_pages << EFI_PAGE_SHIFT) + SIZE_64MB) \
  cite "tianocore/edk2@8757e648d1^:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.242) 'return (UINT32)(EFI_PAGES_TO_SIZE (TotalPages) + SIZE_64MB);' [historical]"

# MpInitLibInitialize(): one buffer for every CPU's stack, aligned to the stack
# size, plus per-CPU data; AllocatePages (EFI_SIZE_TO_PAGES (BufferSize)).
# ALIGN_VALUE (BufferSize, 8) is '(Value) + (((Alignment) - (Value)) & ((Alignment) - 1U))'
# in UINTN: for a power-of-two Alignment the same value as align_up(Value, 8),
# which is written here because the masked form is far slower for the solver.
var mp_buffer_size = align_up(AP_STACK_SIZE * max_cpus + AP_STACK_SIZE + MP_FIXED_DATA, 8) \
  + PER_CPU_DATA * max_cpus \
  cite "tianocore/edk2@8757e648d1:UefiCpuPkg/Library/MpInitLib/MpLib.c (l.2082-2092) 'BufferSize = ApStackSize * MaxLogicalProcessorNumber;' ... 'BufferSize += ApStackSize; BufferSize += MonitorFilterSize * MaxLogicalProcessorNumber; BufferSize += ApResetVectorSizeBelow1Mb; BufferSize = ALIGN_VALUE (BufferSize, 8); ... BufferSize += (sizeof (CPU_AP_DATA) + sizeof (CPU_INFO_IN_HOB))* MaxLogicalProcessorNumber;'"

# The cap is the design: a guest whose low RAM above DXEFV is smaller than the cap
# gets "Not enough memory for PEI" (9d32a02a72) whatever the cap counts; such
# guests are outside this model.
assume enough_low_memory: lower_memory_size - MEMORY_BASE > pei_memory_cap \
  cite "tianocore/edk2@9d32a02a72:OvmfPkg/PlatformPei/MemDetect.c (PublishPeiMemory) 'Not enough memory for PEI (have %lu KB, estimated need %u KB)'"

# PublishPeiMemory(): from the end of DXEFV, or the top 'cap' bytes of low RAM
# when there is more than that; the PEI core allocates pages from its top down.
stage publish_pei_memory
  pool pei_memory = [if lower_memory_size - MEMORY_BASE > pei_memory_cap \
                     then lower_memory_size - pei_memory_cap else MEMORY_BASE, \
                     lower_memory_size) down \
    cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (PublishPeiMemory) 'MemorySize = LowerMemorySize - MemoryBase; if (MemorySize > PeiMemoryCap) { MemoryBase = LowerMemorySize - PeiMemoryCap; MemorySize = PeiMemoryCap; }'"

stage cpu_mp_pei after publish_pei_memory
  place mp_buffer size ((mp_buffer_size >> EFI_PAGE_SHIFT) + (if (mp_buffer_size & EFI_PAGE_MASK) != 0 then 1 else 0)) << EFI_PAGE_SHIFT \
    from pei_memory align 4KiB \
    cite "tianocore/edk2@8757e648d1:UefiCpuPkg/Library/MpInitLib/MpLib.c (MpInitLibInitialize, l.2093) 'MpBuffer = AllocatePages (EFI_SIZE_TO_PAGES (BufferSize));' (UefiBaseType.h l.200: EFI_SIZE_TO_PAGES(Size) is (((Size) >> EFI_PAGE_SHIFT) + (((Size) & EFI_PAGE_MASK) ? 1 : 0)))"

stage pei_misc after cpu_mp_pei
  place misc size misc_size from pei_memory align 4KiB

stage dxe_ipl after pei_misc
  place page_tables size total_pages << EFI_PAGE_SHIFT from pei_memory align 4KiB \
    cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.206-207) 'The code below is based on CreateIdentityMappingPageTables() in' ... 'MdeModulePkg/Core/DxeIplPeim/X64/VirtualMemory.c' [historical]"

# Past the cap the allocations run on into the memory below it; with enough vCPUs
# they run past address 0, where the real AllocatePages() fails ('ASSERT (MpBuffer
# != NULL);' for the MP buffer): here the pool's cursor goes below 0, at whichever
# allocation crosses it.
expect wrap@L93 violated \
  cite "tianocore/edk2@8757e648d1 'Needed to avoid running out of memory when booting with a large (~2048) number of vcpus.' (MpLib.c l.2094: ASSERT (MpBuffer != NULL))"
expect wrap@L98 violated \
  cite "tianocore/edk2@8757e648d1 'avoid running out of memory'"
expect wrap@L101 violated \
  cite "tianocore/edk2@8757e648d1 'avoid running out of memory'"

# ---------------------------------------------------------------------------
# 8757e648d1 (2024): the cap also counts one AP stack per possible CPU.
model ovmf_pei_memory_2024 extends ovmf_pei_memory_2023
  cite "tianocore/edk2@8757e648d11357b663331f6ed1cdb2ab017df178 'OvmfPkg/PlatformPei: consider AP stacks for pei memory cap'"

var pei_memory_cap = u32((total_pages << EFI_PAGE_SHIFT) + max_cpus * AP_STACK_SIZE + SIZE_64MB) \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.243-252) 'ApStacks = PlatformInfoHob->PcdCpuMaxLogicalProcessorNumber * PcdGet32 (PcdCpuApStackSize); ... MemoryCap = EFI_PAGES_TO_SIZE (TotalPages) + ApStacks + SIZE_64MB; ASSERT (MemoryCap <= MAX_UINT32); return (UINT32)MemoryCap;' [historical]"

expect wrap@L93 holds \
  cite "tianocore/edk2@8757e648d1 'consider AP stacks for pei memory cap' -- so the MP buffer fits in the cap"
expect wrap@L98 holds \
  cite "tianocore/edk2@8757e648d1 'consider AP stacks for pei memory cap' -- the 64 MiB for miscellaneous allocations is left to them"
expect wrap@L101 holds \
  cite "tianocore/edk2@8757e648d1:OvmfPkg/PlatformPei/MemDetect.c (GetPeiMemoryCap, l.250) 'MemoryCap = EFI_PAGES_TO_SIZE (TotalPages) + ApStacks + SIZE_64MB;' [historical]"
