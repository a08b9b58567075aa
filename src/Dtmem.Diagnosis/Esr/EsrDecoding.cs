namespace Dtmem.Diagnosis.Esr;

/// <summary>One row of the bit-field table: field name, bit range [Hi:Lo] in the 64-bit ESR, its value, what it means.</summary>
public sealed record EsrField(string Name, int Hi, int Lo, ulong Value, string Meaning)
{
    public string Bits => Hi == Lo ? $"[{Hi}]" : $"[{Hi}:{Lo}]";
}

/// <summary>Which ISS layout the exception class uses.</summary>
public enum EsrKind
{
    Other,
    DataAbort,
    InstructionAbort,
    SError,
    Unknown,
}

/// <summary>ESR_ELx decoded into fields (esr.arm64.dev style), with the facts attribution needs lifted out.</summary>
public sealed record EsrDecoding
{
    public required ulong Value { get; init; }
    public required uint ExceptionClass { get; init; }

    /// <summary>The kernel's short class name (`DABT (current EL)`), or `UNRECOGNIZED EC` as the kernel prints.</summary>
    public required string ClassName { get; init; }
    public required string ClassDescription { get; init; }
    public required EsrKind Kind { get; init; }
    public required bool Il32 { get; init; }
    public required uint Iss { get; init; }
    public required uint Iss2 { get; init; }
    public required IReadOnlyList<EsrField> Fields { get; init; }

    /// <summary>DFSC/IFSC (aborts) or DFSC (SError) when the layout has one.</summary>
    public uint? FaultStatusCode { get; init; }
    public string? FaultStatusName { get; init; }
    public int? FaultLevel { get; init; }
    public FaultType FaultType { get; init; }

    /// <summary>WnR for data aborts (true = the access was a write). Null for other classes; for a cache-maintenance
    /// abort (CM=1) the architecture sets WnR to 1 and it says nothing about the access.</summary>
    public bool? IsWrite { get; init; }
    public bool CacheMaintenance { get; init; }
    public bool StageOneWalk { get; init; }
    public bool ExternalAbort { get; init; }

    /// <summary>True when FAR is not valid (FnV=1).</summary>
    public bool FarNotValid { get; init; }

    /// <summary>True when the exception was taken from the same EL (EC bit 0 for the abort pairs).</summary>
    public bool? CurrentEl { get; init; }

    public string Summary { get; init; } = "";

    public EsrField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
