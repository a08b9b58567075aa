namespace Dtmem.Diagnosis.Esr;

/// <summary>Name tables from the Arm ARM (ESR_ELx) and the kernel's arch/arm64/kernel/traps.c (esr_class_str)
/// and arch/arm64/mm/fault.c (fault_info). Written from those sources; short names match what the kernel prints.</summary>
internal static class EsrTables
{
    /// <summary>(kernel short name, Arm ARM description) per exception class.</summary>
    public static (string Short, string Long)? ExceptionClass(uint ec) => ec switch
    {
        0x00 => ("Unknown/Uncategorized", "Unknown reason"),
        0x01 => ("WFI/WFE", "Trapped WFI, WFE, WFIT or WFET instruction"),
        0x03 => ("CP15 MCR/MRC", "Trapped AArch32 MCR or MRC access to CP15"),
        0x04 => ("CP15 MCRR/MRRC", "Trapped AArch32 MCRR or MRRC access to CP15"),
        0x05 => ("CP14 MCR/MRC", "Trapped AArch32 MCR or MRC access to CP14"),
        0x06 => ("CP14 LDC/STC", "Trapped AArch32 LDC or STC access"),
        0x07 => ("ASIMD", "Access to SME, SVE, Advanced SIMD or floating-point functionality trapped"),
        0x08 => ("CP10 MRC/VMRS", "Trapped VMRS access (ID group traps)"),
        0x09 => ("PAC", "Trapped use of a pointer authentication instruction"),
        0x0A => ("OTHER", "Trapped LD64B/ST64B* or other instruction (ISS gives the kind)"),
        0x0C => ("CP14 MCRR/MRRC", "Trapped AArch32 MRRC access to CP14"),
        0x0D => ("BTI", "Branch Target Exception"),
        0x0E => ("PSTATE.IL", "Illegal Execution state"),
        0x11 => ("SVC (AArch32)", "SVC instruction execution in AArch32 state"),
        0x12 => ("HVC (AArch32)", "HVC instruction execution in AArch32 state"),
        0x13 => ("SMC (AArch32)", "SMC instruction execution in AArch32 state"),
        0x15 => ("SVC (AArch64)", "SVC instruction execution in AArch64 state"),
        0x16 => ("HVC (AArch64)", "HVC instruction execution in AArch64 state"),
        0x17 => ("SMC (AArch64)", "SMC instruction execution in AArch64 state"),
        0x18 => ("MSR/MRS (AArch64)", "Trapped MSR, MRS or System instruction execution in AArch64 state"),
        0x19 => ("SVE", "Access to SVE functionality trapped"),
        0x1A => ("ERET/ERETAA/ERETAB", "Trapped ERET, ERETAA or ERETAB instruction"),
        0x1B => ("TSTART", "Exception from TSTART in a transaction (FEAT_TME)"),
        0x1C => ("FPAC", "Pointer authentication instruction failure"),
        0x1D => ("SME", "Access to SME functionality trapped"),
        0x1E => ("GPC", "Granule Protection Check exception"),
        0x1F => ("EL3 IMP DEF", "Implementation defined exception to EL3"),
        0x20 => ("IABT (lower EL)", "Instruction Abort from a lower Exception level"),
        0x21 => ("IABT (current EL)", "Instruction Abort taken without a change in Exception level"),
        0x22 => ("PC Alignment", "PC alignment fault"),
        0x24 => ("DABT (lower EL)", "Data Abort from a lower Exception level"),
        0x25 => ("DABT (current EL)", "Data Abort taken without a change in Exception level"),
        0x26 => ("SP Alignment", "SP alignment fault"),
        0x27 => ("MOPS", "Memory Operation (FEAT_MOPS) exception"),
        0x28 => ("FP (AArch32)", "Trapped floating-point exception from AArch32"),
        0x2C => ("FP (AArch64)", "Trapped floating-point exception from AArch64"),
        0x2D => ("GCS", "Guarded Control Stack exception"),
        0x2F => ("SError", "SError exception"),
        0x30 => ("Breakpoint (lower EL)", "Breakpoint exception from a lower Exception level"),
        0x31 => ("Breakpoint (current EL)", "Breakpoint exception taken without a change in Exception level"),
        0x32 => ("Software Step (lower EL)", "Software Step exception from a lower Exception level"),
        0x33 => ("Software Step (current EL)", "Software Step exception taken without a change in Exception level"),
        0x34 => ("Watchpoint (lower EL)", "Watchpoint exception from a lower Exception level"),
        0x35 => ("Watchpoint (current EL)", "Watchpoint exception taken without a change in Exception level"),
        0x38 => ("BKPT (AArch32)", "BKPT instruction execution in AArch32 state"),
        0x3A => ("Vector catch (AArch32)", "Vector Catch exception from AArch32 state"),
        0x3C => ("BRK (AArch64)", "BRK instruction execution in AArch64 state"),
        _ => null,
    };

    /// <summary>Fault status code (DFSC/IFSC) as the kernel names it in fault_info[], with the translation level when the
    /// code carries one. Unknown codes return ("unknown N", null) as the kernel does.</summary>
    public static (string Name, int? Level, FaultType Type) FaultStatus(uint fsc)
    {
        fsc &= 0x3F;
        switch (fsc)
        {
            case 0x00: return ("level 0 address size fault", 0, FaultType.AddressSize);
            case <= 0x03: return ($"level {fsc} address size fault", (int)fsc, FaultType.AddressSize);
            case <= 0x07: return ($"level {fsc - 4} translation fault", (int)fsc - 4, FaultType.Translation);
            case <= 0x0B: return ($"level {fsc - 8} access flag fault", (int)fsc - 8, FaultType.AccessFlag);
            case <= 0x0F: return ($"level {fsc - 12} permission fault", (int)fsc - 12, FaultType.Permission);
            case 0x10: return ("synchronous external abort", null, FaultType.ExternalAbort);
            case 0x11: return ("synchronous tag check fault", null, FaultType.TagCheck);
            case 0x12: return ("level -2 synchronous external abort (translation table walk)", -2, FaultType.ExternalAbortOnWalk);
            case <= 0x17: return ($"level {(int)fsc - 0x14} (translation table walk)", (int)fsc - 0x14, FaultType.ExternalAbortOnWalk);
            case 0x18: return ("synchronous parity or ECC error", null, FaultType.ParityOrEcc);
            case 0x1B: return ("level -1 synchronous parity error (translation table walk)", -1, FaultType.ParityOrEccOnWalk);
            case >= 0x1C and <= 0x1F: return ($"level {fsc - 0x1C} synchronous parity error (translation table walk)", (int)fsc - 0x1C, FaultType.ParityOrEccOnWalk);
            case 0x21: return ("alignment fault", null, FaultType.Alignment);
            case 0x22: return ("debug exception", null, FaultType.Other);
            case >= 0x23 and <= 0x27: return ($"Granule Protection Fault at level {(int)fsc - 0x24}", (int)fsc - 0x24, FaultType.GranuleProtection);
            case 0x28: return ("Granule Protection Fault not on table walk", null, FaultType.GranuleProtection);
            case 0x29: return ("level -1 address size fault", -1, FaultType.AddressSize);
            case 0x2A: return ("level -2 translation fault", -2, FaultType.Translation);
            case 0x2B: return ("level -1 translation fault", -1, FaultType.Translation);
            case 0x2C: return ("level -2 address size fault", -2, FaultType.AddressSize);
            case 0x30: return ("TLB conflict abort", null, FaultType.Other);
            case 0x31: return ("Unsupported atomic hardware update fault", null, FaultType.Other);
            case 0x34: return ("implementation fault (lockdown abort)", null, FaultType.Other);
            case 0x35: return ("implementation fault (unsupported exclusive)", null, FaultType.Other);
            case 0x3D: return ("section domain fault", null, FaultType.Other);
            case 0x3E: return ("page domain fault", null, FaultType.Other);
            default: return ($"unknown {fsc}", null, FaultType.Unknown);
        }
    }

    public static string SerrorAet(uint aet) => aet switch
    {
        0 => "Uncontainable (UC)",
        1 => "Unrecoverable state (UEU)",
        2 => "Restartable state (UEO)",
        3 => "Recoverable state (UER)",
        6 => "Corrected (CE)",
        _ => $"reserved ({aet})",
    };

    public static string AccessSize(uint sas) => sas switch
    {
        0 => "byte",
        1 => "halfword",
        2 => "word",
        _ => "doubleword",
    };
}

/// <summary>What kind of fault a fault status code describes.</summary>
public enum FaultType
{
    Unknown,
    AddressSize,
    Translation,
    AccessFlag,
    Permission,
    ExternalAbort,
    ExternalAbortOnWalk,
    TagCheck,
    ParityOrEcc,
    ParityOrEccOnWalk,
    Alignment,
    GranuleProtection,
    Other,
}
