namespace Dtmem.Diagnosis.Esr;

/// <summary>Decodes an ESR_ELx value. Every input decodes; unknown classes and reserved encodings come back as raw fields.</summary>
public static class EsrDecoder
{
    public static EsrDecoding Decode(ulong esr)
    {
        uint ec = (uint)(esr >> 26) & 0x3F;
        bool il = ((esr >> 25) & 1) != 0;
        uint iss = (uint)(esr & 0x1FF_FFFF);
        uint iss2 = (uint)((esr >> 32) & 0xFF_FFFF);
        var cls = EsrTables.ExceptionClass(ec);
        var fields = new List<EsrField>();
        ulong res0 = esr >> 56;
        if (res0 != 0) fields.Add(new EsrField("RES0", 63, 56, res0, "reserved, should be zero (value is not a valid ESR_ELx?)"));
        fields.Add(new EsrField("ISS2", 55, 32, iss2, "Instruction Specific Syndrome 2"));
        fields.Add(new EsrField("EC", 31, 26, ec, cls is { } c ? $"{c.Short}: {c.Long}" : "unallocated exception class"));
        fields.Add(new EsrField("IL", 25, 25, il ? 1u : 0u, il ? "32-bit instruction trapped" : "16-bit instruction trapped (or not applicable)"));
        fields.Add(new EsrField("ISS", 24, 0, iss, "Instruction Specific Syndrome"));

        var d = new EsrDecoding
        {
            Value = esr,
            ExceptionClass = ec,
            ClassName = cls?.Short ?? "UNRECOGNIZED EC",
            ClassDescription = cls?.Long ?? "unallocated exception class",
            Kind = cls is null ? EsrKind.Unknown : EsrKind.Other,
            Il32 = il,
            Iss = iss,
            Iss2 = iss2,
            Fields = fields,
        };

        switch (ec)
        {
            case 0x24 or 0x25:
                d = DataAbort(d, fields, iss, iss2);
                break;
            case 0x20 or 0x21:
                d = InstructionAbort(d, fields, iss);
                break;
            case 0x2F:
                d = SError(d, fields, iss);
                break;
            case 0x11 or 0x12 or 0x13 or 0x15 or 0x16 or 0x17:
                fields.Add(new EsrField("imm16", 15, 0, iss & 0xFFFF, "immediate value of the SVC/HVC/SMC instruction"));
                d = d with { Summary = $"{d.ClassName}: #0x{iss & 0xFFFF:x}" };
                break;
            case 0x3C:
                fields.Add(new EsrField("Comment", 15, 0, iss & 0xFFFF, BrkMeaning(iss & 0xFFFF)));
                d = d with { Summary = $"{d.ClassName}: #0x{iss & 0xFFFF:x} ({BrkMeaning(iss & 0xFFFF)})" };
                break;
            case 0x18:
                Sys64(fields, iss);
                d = d with { Summary = $"{d.ClassName}: {(((iss & 1) != 0) ? "MRS (read)" : "MSR (write)")} S{(iss >> 20) & 3}_{(iss >> 14) & 7}_C{(iss >> 10) & 0xF}_C{(iss >> 1) & 0xF}_{(iss >> 17) & 7}, x{(iss >> 5) & 0x1F}" };
                break;
            case 0x01:
                fields.Add(new EsrField("TI", 1, 0, iss & 3, (iss & 3) switch { 0 => "WFI", 1 => "WFE", 2 => "WFIT", _ => "WFET" }));
                d = d with { Summary = d.ClassName };
                break;
            default:
                d = d with { Summary = cls is null ? $"unallocated EC 0x{ec:x2}, ISS 0x{iss:x7}" : $"{d.ClassName}, ISS 0x{iss:x7}" };
                break;
        }
        return d;
    }

    private static EsrDecoding DataAbort(EsrDecoding d, List<EsrField> f, uint iss, uint iss2)
    {
        bool isv = Bit(iss, 24);
        f.Add(new EsrField("ISV", 24, 24, B(isv), isv ? "ISS[23:14] hold a valid instruction syndrome" : "no valid instruction syndrome; ISS[23:14] are RES0"));
        if (isv)
        {
            uint sas = (iss >> 22) & 3;
            f.Add(new EsrField("SAS", 23, 22, sas, $"access size: {EsrTables.AccessSize(sas)}"));
            f.Add(new EsrField("SSE", 21, 21, (iss >> 21) & 1, Bit(iss, 21) ? "sign-extended load" : "no sign extension"));
            f.Add(new EsrField("SRT", 20, 16, (iss >> 16) & 0x1F, $"transfer register x{(iss >> 16) & 0x1F}"));
            f.Add(new EsrField("SF", 15, 15, (iss >> 15) & 1, Bit(iss, 15) ? "64-bit register" : "32-bit register"));
            f.Add(new EsrField("AR", 14, 14, (iss >> 14) & 1, Bit(iss, 14) ? "acquire/release semantics" : "no acquire/release semantics"));
        }
        else if (((iss >> 14) & 0x3FF) != 0)
        {
            f.Add(new EsrField("ISS[23:14]", 23, 14, (iss >> 14) & 0x3FF, "RES0 when ISV is 0 (non-zero: FEAT_LS64 or a hypervisor's encoding)"));
        }
        f.Add(new EsrField("VNCR", 13, 13, (iss >> 13) & 1, Bit(iss, 13) ? "fault came from a VNCR_EL2 register access" : "not a VNCR_EL2 access"));
        uint dfsc = iss & 0x3F;
        uint set = (iss >> 11) & 3;
        f.Add(new EsrField("SET", 12, 11, set, dfsc == 0x10 ? SetMeaning(set) : "synchronous error type (meaningful only for an external abort; LST for FEAT_LS64)"));
        bool fnv = Bit(iss, 10), ea = Bit(iss, 9), cm = Bit(iss, 8), s1ptw = Bit(iss, 7), wnr = Bit(iss, 6);
        f.Add(new EsrField("FnV", 10, 10, B(fnv), fnv ? "FAR is not valid" : "FAR is valid"));
        f.Add(new EsrField("EA", 9, 9, B(ea), ea ? "external abort type (implementation defined)" : "not an external abort type"));
        f.Add(new EsrField("CM", 8, 8, B(cm), cm ? "fault came from a cache maintenance or address translation instruction" : "not a cache maintenance instruction"));
        f.Add(new EsrField("S1PTW", 7, 7, B(s1ptw), s1ptw ? "stage 2 fault on a stage 1 translation table walk" : "not a stage 2 fault on a stage 1 walk"));
        f.Add(new EsrField("WnR", 6, 6, B(wnr), wnr ? "abort caused by a write" : "abort caused by a read"));
        var fs = EsrTables.FaultStatus(dfsc);
        f.Add(new EsrField("DFSC", 5, 0, dfsc, fs.Name));

        if (iss2 != 0)
        {
            // ISS2 fields for data aborts (FEAT_MTE4, FEAT_GCS, FEAT_S1POE, FEAT_THE, FEAT_LS64).
            f.Add(new EsrField("TnD", 42, 42, (iss2 >> 10) & 1, Bit(iss2, 10) ? "tag not written (MTE store-only checking)" : "tag access as usual"));
            f.Add(new EsrField("TagAccess", 41, 41, (iss2 >> 9) & 1, Bit(iss2, 9) ? "fault on an MTE tag access" : "not a tag access"));
            f.Add(new EsrField("GCS", 40, 40, (iss2 >> 8) & 1, Bit(iss2, 8) ? "fault on a Guarded Control Stack access" : "not a GCS access"));
            f.Add(new EsrField("AssuredOnly", 39, 39, (iss2 >> 7) & 1, Bit(iss2, 7) ? "AssuredOnly check failed" : "no AssuredOnly fault"));
            f.Add(new EsrField("Overlay", 38, 38, (iss2 >> 6) & 1, Bit(iss2, 6) ? "permission overlay (POE) fault" : "no overlay fault"));
            f.Add(new EsrField("DirtyBit", 37, 37, (iss2 >> 5) & 1, Bit(iss2, 5) ? "permission fault due to the dirty state (FEAT_THE)" : "not a dirty-state fault"));
            f.Add(new EsrField("Xs", 36, 32, iss2 & 0x1F, "register for LS64 / extra syndrome"));
        }
        string access = cm ? "cache maintenance" : wnr ? "write" : "read";
        return d with
        {
            Kind = EsrKind.DataAbort,
            FaultStatusCode = dfsc,
            FaultStatusName = fs.Name,
            FaultLevel = fs.Level,
            FaultType = fs.Type,
            IsWrite = wnr,
            CacheMaintenance = cm,
            StageOneWalk = s1ptw,
            ExternalAbort = ea,
            FarNotValid = fnv,
            CurrentEl = d.ExceptionClass == 0x25,
            Summary = $"{d.ClassName}: {fs.Name}, {access}{(fnv ? ", FAR not valid" : "")}{(isv ? $", {EsrTables.AccessSize((iss >> 22) & 3)} via x{(iss >> 16) & 0x1F}" : "")}",
        };
    }

    private static EsrDecoding InstructionAbort(EsrDecoding d, List<EsrField> f, uint iss)
    {
        if (((iss >> 13) & 0xFFF) != 0) f.Add(new EsrField("ISS[24:13]", 24, 13, (iss >> 13) & 0xFFF, "RES0"));
        uint ifsc = iss & 0x3F;
        uint set = (iss >> 11) & 3;
        f.Add(new EsrField("SET", 12, 11, set, ifsc == 0x10 ? SetMeaning(set) : "synchronous error type (meaningful only for an external abort)"));
        bool fnv = Bit(iss, 10), ea = Bit(iss, 9), s1ptw = Bit(iss, 7);
        f.Add(new EsrField("FnV", 10, 10, B(fnv), fnv ? "FAR is not valid" : "FAR is valid"));
        f.Add(new EsrField("EA", 9, 9, B(ea), ea ? "external abort type (implementation defined)" : "not an external abort type"));
        f.Add(new EsrField("S1PTW", 7, 7, B(s1ptw), s1ptw ? "stage 2 fault on a stage 1 translation table walk" : "not a stage 2 fault on a stage 1 walk"));
        var fs = EsrTables.FaultStatus(ifsc);
        f.Add(new EsrField("IFSC", 5, 0, ifsc, fs.Name));
        return d with
        {
            Kind = EsrKind.InstructionAbort,
            FaultStatusCode = ifsc,
            FaultStatusName = fs.Name,
            FaultLevel = fs.Level,
            FaultType = fs.Type,
            StageOneWalk = s1ptw,
            ExternalAbort = ea,
            FarNotValid = fnv,
            CurrentEl = d.ExceptionClass == 0x21,
            Summary = $"{d.ClassName}: {fs.Name}, instruction fetch{(fnv ? ", FAR not valid" : "")}",
        };
    }

    private static EsrDecoding SError(EsrDecoding d, List<EsrField> f, uint iss)
    {
        bool ids = Bit(iss, 24);
        f.Add(new EsrField("IDS", 24, 24, B(ids), ids ? "ISS[23:0] hold an implementation defined syndrome" : "architected syndrome"));
        if (ids)
        {
            f.Add(new EsrField("IMPDEF", 23, 0, iss & 0xFF_FFFF, "implementation defined syndrome"));
            return d with { Kind = EsrKind.SError, Summary = $"SError: implementation defined syndrome 0x{iss & 0xFF_FFFF:x6}" };
        }
        uint dfsc = iss & 0x3F;
        uint aet = (iss >> 10) & 7;
        f.Add(new EsrField("IESB", 13, 13, (iss >> 13) & 1, Bit(iss, 13) ? "synchronized by an implicit error synchronization barrier" : "not synchronized by IESB"));
        f.Add(new EsrField("AET", 12, 10, aet, dfsc == 0x11 ? EsrTables.SerrorAet(aet) : "asynchronous error type (valid when DFSC is 0x11)"));
        f.Add(new EsrField("EA", 9, 9, (iss >> 9) & 1, Bit(iss, 9) ? "external abort type (implementation defined)" : "not an external abort type"));
        string name = dfsc switch { 0x00 => "uncategorized", 0x11 => "asynchronous SError interrupt", _ => $"reserved DFSC 0x{dfsc:x2}" };
        f.Add(new EsrField("DFSC", 5, 0, dfsc, name));
        return d with
        {
            Kind = EsrKind.SError,
            FaultStatusCode = dfsc,
            FaultStatusName = name,
            ExternalAbort = Bit(iss, 9),
            Summary = dfsc == 0x11 ? $"SError: {name}, {EsrTables.SerrorAet(aet)}" : $"SError: {name}",
        };
    }

    private static void Sys64(List<EsrField> f, uint iss)
    {
        f.Add(new EsrField("Op0", 21, 20, (iss >> 20) & 3, "Op0"));
        f.Add(new EsrField("Op2", 19, 17, (iss >> 17) & 7, "Op2"));
        f.Add(new EsrField("Op1", 16, 14, (iss >> 14) & 7, "Op1"));
        f.Add(new EsrField("CRn", 13, 10, (iss >> 10) & 0xF, "CRn"));
        f.Add(new EsrField("Rt", 9, 5, (iss >> 5) & 0x1F, $"general-purpose register x{(iss >> 5) & 0x1F}"));
        f.Add(new EsrField("CRm", 4, 1, (iss >> 1) & 0xF, "CRm"));
        f.Add(new EsrField("Direction", 0, 0, iss & 1, (iss & 1) != 0 ? "read (MRS)" : "write (MSR)"));
    }

    // Comment values the arm64 kernel uses for BRK (arch/arm64/include/asm/brk-imm.h).
    private static string BrkMeaning(uint imm) => imm switch
    {
        0x004 => "kprobes",
        0x005 => "uprobes",
        0x006 => "kprobes single-step",
        0x100 => "fault injection (FAULT_BRK_IMM)",
        0x400 => "KGDB dynamic breakpoint",
        0x401 => "KGDB compiled breakpoint",
        0x800 => "BUG()/WARN() (BUG_BRK_IMM)",
        >= 0x900 and <= 0x9FF => "KASAN check failed",
        >= 0x5500 and <= 0x55FF => "UBSAN trap",
        >= 0x8000 and <= 0x80FF => "CFI check failed",
        _ => "breakpoint comment",
    };

    private static string SetMeaning(uint set) => set switch
    {
        0 => "Recoverable state (UER)",
        2 => "Uncontainable (UC)",
        3 => "Restartable state (UEO)",
        _ => "reserved",
    };

    private static bool Bit(uint v, int bit) => ((v >> bit) & 1) != 0;

    private static uint B(bool b) => b ? 1u : 0u;
}
