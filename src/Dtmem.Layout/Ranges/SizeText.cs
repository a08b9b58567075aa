using System.Globalization;

namespace Dtmem.Layout.Ranges;

/// <summary>Byte counts as people and the kernel write them.</summary>
public static class SizeText
{
    /// <summary>The largest unit that divides the size exactly (<c>8 MiB</c>, <c>1920 KiB</c>, <c>100 bytes</c>); whole GiB/MiB/KiB otherwise rounded to one decimal.</summary>
    public static string Human(ulong bytes)
    {
        const ulong K = 1024, M = K * K, G = M * K;
        if (bytes == 0) return "0 bytes";
        if (bytes % G == 0) return $"{bytes / G} GiB";
        if (bytes % M == 0) return $"{bytes / M} MiB";
        if (bytes % K == 0) return $"{bytes / K} KiB";
        if (bytes >= G) return ((double)bytes / G).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";
        if (bytes >= M) return ((double)bytes / M).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
        if (bytes >= K) return ((double)bytes / K).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
        return $"{bytes} bytes";
    }

    /// <summary>The kernel's <c>size %lu MiB</c> figure: whole MiB, rounded down (512 KiB prints 0).</summary>
    public static ulong KernelMiB(ulong bytes) => bytes >> 20;

    public static ulong KernelKiB(ulong bytes) => bytes >> 10;

    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
