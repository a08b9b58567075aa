using Dtmem.Diagnosis.Esr;
using Dtmem.Diagnosis.Pte;

namespace Dtmem.Diagnosis.Oops;

public enum OopsArch
{
    Unknown,
    Arm64,
    Arm,
    X86_64,
    RiscV,
}

/// <summary>What started the report.</summary>
public enum OopsKind
{
    /// <summary>A memory access fault (`Unable to handle kernel …`, `BUG: unable to handle page fault`, `#PF`).</summary>
    PageFault,
    /// <summary>A fault whose address is below one page (the kernel says `NULL pointer dereference`).</summary>
    NullPointer,
    /// <summary>`kernel BUG at file:line!` or a BUG() trap.</summary>
    Bug,
    /// <summary>`WARNING: CPU: n PID: n at file:line func`.</summary>
    Warning,
    /// <summary>`SError Interrupt on CPUn` (arm64 asynchronous abort).</summary>
    SError,
    /// <summary>An `Internal error:`/`Oops:` line with no fault line before it (undefined instruction, BRK, …).</summary>
    InternalError,
    /// <summary>Only `Kernel panic - not syncing:` was found.</summary>
    Panic,
}

/// <summary>`symbol+0xoff/0xsize [module]` or a bare address, as printed in pc/lr lines and call traces.</summary>
public sealed record CodeLocation(string? Symbol, ulong? Offset, ulong? Size, string? Module, ulong? Address)
{
    public override string ToString() =>
        (Symbol is null ? $"0x{Address:x}" : Offset is null ? Symbol : $"{Symbol}+0x{Offset:x}/0x{Size:x}") + (Module is null ? "" : $" [{Module}]");
}

/// <summary>One call-trace line.</summary>
public sealed record StackFrame(CodeLocation Location, bool Unreliable, LineRef Source);

/// <summary>One entry of the show_pte() walk line (`pmd=000000007ef7f003`), decoded for arm64 (null for other architectures).</summary>
public sealed record WalkEntry(string Level, ulong Value, PteDecoding? Decoded);

/// <summary>The `user|swapper pgtable: 4k pages, 48-bit VAs, pgdp=…` line.</summary>
public sealed record PageTableInfo(string Table, PageGranule Granule, int VaBits, ulong? Pgdp);

/// <summary>
/// One oops/BUG/WARNING report. Every fact keeps the line it came from. Facts the log did not print stay null.
/// </summary>
public sealed class Oops
{
    public OopsArch Arch { get; internal set; }
    public OopsKind Kind { get; internal set; }

    /// <summary>The kernel's words for the fault, e.g. `write to read-only memory`, `paging request`,
    /// `NULL pointer dereference`, `execute from non-executable memory`.</summary>
    public Sourced<string>? FaultDescription { get; internal set; }
    public Sourced<ulong>? FaultAddress { get; internal set; }

    /// <summary>ESR from `ESR = 0x…` or from `Internal error: Oops: <esr>` (arm64).</summary>
    public Sourced<ulong>? Esr { get; internal set; }
    public EsrDecoding? EsrDecoded { get; internal set; }

    /// <summary>`name = value` pairs of the `Mem abort info:` and `Data abort info:` blocks as the kernel printed them.</summary>
    public IReadOnlyList<Sourced<KeyValuePair<string, string>>> AbortInfo => abortItems;
    public Sourced<PageTableInfo>? PageTable { get; internal set; }
    public IReadOnlyList<WalkEntry> Walk => walkItems;
    public LineRef? WalkSource { get; internal set; }

    /// <summary>The faulting address translated through the printed page-table walk (leaf output address plus the offset
    /// inside the page or block). Only when the walk ends in a valid page or block descriptor (arm64).</summary>
    public Sourced<ulong>? WalkPhysicalAddress { get; internal set; }

    /// <summary>`Internal error: Oops: 9600004f [#1] PREEMPT SMP` / x86 `Oops: 0002 [#1] SMP` / arm `Internal error: Oops: 817 [#1] ARM`.</summary>
    public Sourced<string>? DieLine { get; internal set; }
    /// <summary>The error code from the die line (arm64 ESR, arm FSR, x86 page-fault error code).</summary>
    public Sourced<ulong>? DieCode { get; internal set; }
    public Sourced<int>? OopsNumber { get; internal set; }
    public Sourced<string>? DieFlags { get; internal set; }

    /// <summary>x86 `#PF: supervisor write access in kernel mode` lines, and arm32/riscv cause lines.</summary>
    public IReadOnlyList<Sourced<string>> FaultDetails => detailItems;
    public Sourced<IReadOnlyList<string>>? Modules { get; internal set; }
    public Sourced<int>? Cpu { get; internal set; }
    public Sourced<int>? Pid { get; internal set; }
    public Sourced<string>? Comm { get; internal set; }
    public Sourced<string>? Taint { get; internal set; }
    public Sourced<string>? KernelVersion { get; internal set; }
    public Sourced<string>? Hardware { get; internal set; }
    public Sourced<string>? Pstate { get; internal set; }
    public Sourced<CodeLocation>? Pc { get; internal set; }
    public Sourced<CodeLocation>? Lr { get; internal set; }
    public Sourced<ulong>? Sp { get; internal set; }
    public IReadOnlyDictionary<string, Sourced<ulong>> Registers => registerMap;
    public IReadOnlyList<StackFrame> CallTrace => frames;
    public Sourced<string>? Code { get; internal set; }

    /// <summary>`kernel BUG at mm/slub.c:123!` / `WARNING: … at drivers/x.c:45 func`: file and line.</summary>
    public Sourced<string>? BugLocation { get; internal set; }
    public Sourced<string>? KernelOffset { get; internal set; }
    public Sourced<ulong>? PhysOffset { get; internal set; }
    public Sourced<string>? CpuFeatures { get; internal set; }
    public Sourced<string>? MemoryLimit { get; internal set; }
    public Sourced<string>? PanicMessage { get; internal set; }
    public Sourced<string>? EndTrace { get; internal set; }

    /// <summary>Set when the log shows `Entering kdb` for this oops.</summary>
    public LineRef? KdbEntry { get; internal set; }

    /// <summary>First and last line attributed to this report.</summary>
    public required LineRef Start { get; init; }
    public LineRef End { get; internal set; } = null!;

    /// <summary>Cross-checks (ESR printed vs decoded, die code vs ESR, …) and parse remarks.</summary>
    public IReadOnlyList<DiagnosisNote> Notes => noteItems;

    internal readonly List<Sourced<KeyValuePair<string, string>>> abortItems = [];
    internal readonly List<WalkEntry> walkItems = [];
    internal readonly List<Sourced<string>> detailItems = [];
    internal readonly Dictionary<string, Sourced<ulong>> registerMap = new(StringComparer.Ordinal);
    internal readonly List<StackFrame> frames = [];
    internal readonly List<DiagnosisNote> noteItems = [];
}
