using Dtmem.Diagnosis.Esr;

namespace Dtmem.Diagnosis.Pte;

/// <summary>Translation granule of the arm64 stage 1 tables.</summary>
public enum PageGranule
{
    Size4K = 4096,
    Size16K = 16384,
    Size64K = 65536,
}

/// <summary>What a descriptor is.</summary>
public enum DescriptorType
{
    Invalid,
    Table,
    Block,
    Page,
    /// <summary>bits[1:0] = 0b01 at the last level: reserved, treated as invalid by the hardware.</summary>
    Reserved,
}

/// <summary>A stage 1 VMSAv8-64 descriptor decoded into fields plus the facts attribution needs.</summary>
public sealed record PteDecoding
{
    public required ulong Value { get; init; }
    public required string Level { get; init; }
    public required DescriptorType Type { get; init; }
    public required IReadOnlyList<EsrField> Fields { get; init; }

    /// <summary>Output address (next table for a table descriptor, mapped physical address otherwise).</summary>
    public ulong? OutputAddress { get; init; }

    /// <summary>Bytes one page or block descriptor maps (4 KiB page, 2 MiB block, …); null for tables and invalid entries.</summary>
    public ulong? MappedSize { get; init; }
    public bool AccessFlag { get; init; }
    public bool ReadOnly { get; init; }
    public bool UserAccessible { get; init; }
    public bool PrivilegedExecuteNever { get; init; }
    public bool UserExecuteNever { get; init; }
    public uint AttrIndx { get; init; }
    public bool NotGlobal { get; init; }
    public bool Contiguous { get; init; }
    public bool DirtyBitModifier { get; init; }

    /// <summary>Linux software dirty bit (PTE_DIRTY, bit 55).</summary>
    public bool SoftwareDirty { get; init; }
    public string Summary { get; init; } = "";
}

/// <summary>
/// Decodes the values printed by the kernel's show_pte() walk line (`pgd=…, p4d=…, pud=…, pmd=…, pte=…`).
/// Bit positions follow the Arm ARM stage 1 descriptor formats; Linux software bits follow arch/arm64/include/asm/pgtable-prot.h.
/// </summary>
public static class PteDecoder
{
    /// <param name="value">descriptor value as printed</param>
    /// <param name="level">the kernel's name for the level (pgd, p4d, pud, pmd, pte); `pte` is the last level</param>
    /// <param name="granule">translation granule</param>
    /// <param name="outputAddressBits">48 or 52 (52 uses the FEAT_LPA layout for 64K and the FEAT_LPA2 layout for 4K/16K)</param>
    /// <param name="vaBits">virtual address bits from the `pgtable:` line; decides which hardware level `pgd` is</param>
    public static PteDecoding Decode(ulong value, string level, PageGranule granule = PageGranule.Size4K, int outputAddressBits = 48, int vaBits = 48)
    {
        bool lastLevel = level == "pte";
        var f = new List<EsrField>();
        bool valid = (value & 1) != 0;
        bool bit1 = (value & 2) != 0;
        var type = !valid ? DescriptorType.Invalid
            : lastLevel ? (bit1 ? DescriptorType.Page : DescriptorType.Reserved)
            : bit1 ? DescriptorType.Table : DescriptorType.Block;
        f.Add(new EsrField("Valid", 0, 0, valid ? 1u : 0u, valid ? "valid descriptor" : "invalid: any access faults (translation fault)"));
        f.Add(new EsrField("Type", 1, 1, bit1 ? 1u : 0u, type switch
        {
            DescriptorType.Table => "table descriptor (points to the next level)",
            DescriptorType.Block => "block descriptor (maps a large region)",
            DescriptorType.Page => "page descriptor",
            DescriptorType.Reserved => "reserved encoding at the last level (behaves as invalid)",
            _ => "ignored (descriptor invalid)",
        }));
        if (!valid)
        {
            bool protNone = (value & (1UL << 58)) != 0;
            return new PteDecoding
            {
                Value = value,
                Level = level,
                Type = type,
                Fields = f,
                Summary = value == 0 ? $"{level} empty (nothing mapped)" : protNone ? $"{level} invalid (PROT_NONE software entry)" : $"{level} invalid (swap or migration entry, or not present)",
            };
        }

        int pageShift = granule switch { PageGranule.Size16K => 14, PageGranule.Size64K => 16, _ => 12 };
        bool lpa2 = outputAddressBits == 52 && granule != PageGranule.Size64K;
        bool lpa64k = outputAddressBits == 52 && granule == PageGranule.Size64K;

        if (type == DescriptorType.Table)
        {
            ulong oa = OutputAddress(value, pageShift, lpa2, lpa64k);
            f.Add(new EsrField("NextTable", 47, pageShift, oa, $"next-level table at 0x{oa:x}"));
            f.Add(new EsrField("PXNTable", 59, 59, (value >> 59) & 1, ((value >> 59) & 1) != 0 ? "privileged execute-never for everything below" : "no hierarchical PXN"));
            f.Add(new EsrField("UXNTable", 60, 60, (value >> 60) & 1, ((value >> 60) & 1) != 0 ? "unprivileged execute-never for everything below" : "no hierarchical UXN"));
            f.Add(new EsrField("APTable", 62, 61, (value >> 61) & 3, (value >> 61 & 3) switch { 0 => "no hierarchical restriction", 1 => "no EL0 access below", 2 => "read-only below", _ => "read-only and no EL0 access below" }));
            f.Add(new EsrField("NSTable", 63, 63, (value >> 63) & 1, "non-secure table (secure state only)"));
            return new PteDecoding { Value = value, Level = level, Type = type, Fields = f, OutputAddress = oa, Summary = $"{level}: table at 0x{oa:x}" };
        }

        uint attr = (uint)(value >> 2) & 7;
        uint ap = (uint)(value >> 6) & 3;
        bool af = (value & (1UL << 10)) != 0, ng = (value & (1UL << 11)) != 0;
        bool dbm = (value & (1UL << 51)) != 0, cont = (value & (1UL << 52)) != 0;
        bool pxn = (value & (1UL << 53)) != 0, uxn = (value & (1UL << 54)) != 0;
        bool swDirty = (value & (1UL << 55)) != 0;
        bool readOnly = (ap & 2) != 0, user = (ap & 1) != 0;
        int blockShift = type == DescriptorType.Page ? pageShift : BlockShift(level, pageShift, vaBits);
        ulong pa = OutputAddress(value, blockShift, lpa2, lpa64k);

        f.Add(new EsrField("AttrIndx", 4, 2, attr, $"MAIR_EL1 attribute index {attr} ({LinuxMemoryType(attr)})"));
        f.Add(new EsrField("NS", 5, 5, (value >> 5) & 1, "non-secure (secure state only)"));
        f.Add(new EsrField("AP", 7, 6, ap, ap switch
        {
            0 => "read/write at EL1, no EL0 access",
            1 => "read/write at EL1 and EL0",
            2 => "read-only at EL1, no EL0 access",
            _ => "read-only at EL1 and EL0",
        }));
        if (lpa2)
            f.Add(new EsrField("OA[51:50]", 9, 8, (value >> 8) & 3, "output address bits 51:50 (FEAT_LPA2; shareability comes from TCR)"));
        else
            f.Add(new EsrField("SH", 9, 8, (value >> 8) & 3, ((value >> 8) & 3) switch { 0 => "non-shareable", 2 => "outer shareable", 3 => "inner shareable", _ => "reserved" }));
        f.Add(new EsrField("AF", 10, 10, af ? 1u : 0u, af ? "access flag set" : "access flag clear: first access faults (access flag fault)"));
        f.Add(new EsrField("nG", 11, 11, ng ? 1u : 0u, ng ? "not global (ASID-tagged, user mapping)" : "global (kernel mapping)"));
        f.Add(new EsrField("OA", 47, blockShift, pa, $"output address 0x{pa:x}"));
        if (lpa64k) f.Add(new EsrField("OA[51:48]", 15, 12, (value >> 12) & 0xF, "output address bits 51:48 (FEAT_LPA, 64K granule)"));
        f.Add(new EsrField("GP", 50, 50, (value >> 50) & 1, ((value >> 50) & 1) != 0 ? "guarded page (BTI)" : "not guarded"));
        f.Add(new EsrField("DBM", 51, 51, dbm ? 1u : 0u, dbm ? "dirty bit modifier: hardware may clear AP[2] on write (writable-clean)" : "no hardware dirty tracking"));
        f.Add(new EsrField("Contiguous", 52, 52, cont ? 1u : 0u, cont ? "part of a contiguous range of entries" : "not contiguous"));
        f.Add(new EsrField("PXN", 53, 53, pxn ? 1u : 0u, pxn ? "privileged execute-never" : "executable at EL1"));
        f.Add(new EsrField("UXN", 54, 54, uxn ? 1u : 0u, uxn ? "unprivileged execute-never" : "executable at EL0"));
        f.Add(new EsrField("SW", 58, 55, (value >> 55) & 0xF, LinuxSoftwareBits(value)));

        bool writableClean = readOnly && dbm;
        string perms = (readOnly ? (writableClean ? "writable-clean" : "read-only") : "read-write") + (user ? ", user" : ", kernel-only")
            + (pxn ? "" : ", kernel-exec") + (uxn ? "" : ", user-exec");
        return new PteDecoding
        {
            Value = value,
            Level = level,
            Type = type,
            Fields = f,
            OutputAddress = pa,
            MappedSize = 1UL << blockShift,
            AccessFlag = af,
            ReadOnly = readOnly && !dbm,
            UserAccessible = user,
            PrivilegedExecuteNever = pxn,
            UserExecuteNever = uxn,
            AttrIndx = attr,
            NotGlobal = ng,
            Contiguous = cont,
            DirtyBitModifier = dbm,
            SoftwareDirty = swDirty,
            Summary = $"{level}: {(type == DescriptorType.Block ? "block" : "page")} -> PA 0x{pa:x}, {perms}{(af ? "" : ", AF clear")}",
        };
    }

    private static int BlockShift(string level, int pageShift, int vaBits)
    {
        // Each level resolves (pageShift - 3) bits; pgd is the top level, which is level 4 - (number of levels).
        int perLevel = pageShift - 3;
        int levels = Math.Clamp((Math.Clamp(vaBits, 25, 52) - pageShift + perLevel - 1) / perLevel, 1, 4);
        int hwLevel = level switch
        {
            "pmd" => 2,
            "pud" => 1,
            "p4d" => Math.Max(0, 4 - levels),
            _ => 4 - levels,
        };
        if (hwLevel < 4 - levels) hwLevel = 4 - levels; // folded levels print the top-level entry
        return pageShift + (3 - hwLevel) * perLevel;
    }

    private static ulong OutputAddress(ulong value, int lowBit, bool lpa2, bool lpa64k)
    {
        ulong mask = lpa64k || lpa2 ? (1UL << 50) - 1 : (1UL << 48) - 1;
        ulong oa = value & mask & ~((1UL << lowBit) - 1);
        if (lpa2) oa |= ((value >> 8) & 3) << 50;
        if (lpa64k) oa = (value & ((1UL << 48) - 1) & ~((1UL << 16) - 1)) | (((value >> 12) & 0xF) << 48);
        return oa;
    }

    // MAIR indices as Linux programs them (arch/arm64/include/asm/memory.h; 5.x and 6.x share 0..2 and NORMAL_NC;
    // the NORMAL index moved from 4 to 0 in 5.12, so the name is given as "normal or device").
    private static string LinuxMemoryType(uint attr) => attr switch
    {
        0 => "Linux ≥5.12: MT_NORMAL; older: MT_DEVICE_nGnRnE",
        1 => "Linux ≥5.12: MT_NORMAL_TAGGED; older: MT_DEVICE_nGnRE",
        2 => "Linux ≥5.12: MT_NORMAL_NC; older: MT_DEVICE_GRE",
        3 => "Linux ≥5.12: MT_DEVICE_nGnRnE; older: MT_NORMAL_NC",
        4 => "Linux ≥5.12: MT_DEVICE_nGnRE; older: MT_NORMAL",
        5 => "older Linux: MT_NORMAL_WT",
        _ => "unused by Linux",
    };

    private static string LinuxSoftwareBits(ulong v)
    {
        var parts = new List<string>();
        if ((v & (1UL << 55)) != 0) parts.Add("PTE_DIRTY");
        if ((v & (1UL << 56)) != 0) parts.Add("PTE_SPECIAL");
        if ((v & (1UL << 57)) != 0) parts.Add("bit 57 (PTE_DEVMAP/PTE_UFFD_WP by version)");
        if ((v & (1UL << 58)) != 0) parts.Add("bit 58 (PTE_PROT_NONE/PTE_PRESENT_INVALID by version)");
        return parts.Count == 0 ? "no Linux software bits" : "Linux software bits: " + string.Join(", ", parts);
    }
}
