using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Oops;

/// <summary>A line that starts a report.</summary>
internal sealed record Header(OopsKind Kind, OopsArch ArchHint, string? Description, ulong? Address, int AddressDigits,
    string? Location, int? Cpu, int? Pid, ulong? Code);

/// <summary>`Internal error: Oops: 96000004 [#1] PREEMPT SMP` and its x86/riscv/arm relatives.</summary>
internal readonly record struct DieLine(string Message, ulong? Code, int CodeDigits, int Number, string Flags, bool InternalError);

/// <summary>Recognisers for the report-starting lines; each works on the prefix-free, left-trimmed text.</summary>
internal static class OopsLines
{
    public static Header? TryHeader(ReadOnlySpan<char> t)
    {
        if (Scan.After(t, "Unable to handle kernel ", out var rest))
        {
            // "<what> at virtual address <va>" (arm64, arm, riscv); old arm64 also printed "at virtual address" only.
            int at = rest.LastIndexOf(" at virtual address ");
            if (at < 0) return null;
            var what = rest[..at].Trim().ToString();
            var vaText = FirstToken(rest[(at + " at virtual address ".Length)..]);
            ulong? va = Scan.TryHex(vaText, out ulong v) ? v : null;
            var kind = what.Contains("NULL pointer", StringComparison.Ordinal) ? OopsKind.NullPointer : OopsKind.PageFault;
            // arm64 ≤4.x also printed %08lx, so 8 digits alone does not mean 32-bit arm.
            return new Header(kind, OopsArch.Unknown, what, va, vaText.Length, null, null, null, null);
        }
        if (Scan.After(t, "Unhandled fault", out rest) || Scan.After(t, "Synchronous External Abort", out rest))
        {
            // arm64 ≥5.x do_bad(): "Unhandled fault at 0x%016lx"; arm64 4.x do_mem_abort()/do_sea():
            // "Unhandled fault: <name> (0x%08x) at 0x%016lx" and "Synchronous External Abort: <name> (0x%08x) at 0x%016lx",
            // where the value in parentheses is the ESR; arm: "Unhandled fault: <fsr name> (0x%03x) at 0x%08lx" (FSR).
            string? what = null;
            ulong? code = null;
            if (rest.StartsWith(": "))
            {
                int paren = rest.IndexOf(" (");
                if (paren > 2)
                {
                    what = rest[2..paren].Trim().ToString();
                    var inner = rest[(paren + 2)..];
                    int close = inner.IndexOf(')');
                    if (close == 10 && Scan.TryHex(inner[..close], out ulong esr)) code = esr;
                }
            }
            int at = rest.LastIndexOf(" at ");
            if (at < 0) return null;
            var tok = FirstToken(rest[(at + 4)..]);
            ulong? va = Scan.TryHex(tok, out ulong v) ? v : null;
            return new Header(OopsKind.PageFault, code is null ? OopsArch.Unknown : OopsArch.Arm64, what, va,
                tok.StartsWith("0x") ? tok.Length - 2 : tok.Length, null, null, null, code);
        }
        if (Scan.After(t, "Bad mode in ", out rest))
        {
            // arm64 ≤5.x bad_mode(): "Bad mode in <handler> handler detected on CPU%d, code 0x%08x -- <EC name>"
            int c = rest.IndexOf("code 0x");
            ulong? code = c >= 0 && Scan.ReadHex(rest[(c + 5)..], out ulong esr) > 0 ? esr : null;
            int h = rest.IndexOf(" handler");
            string what = "bad mode in " + (h > 0 ? rest[..h].ToString() : "exception") + " handler";
            return new Header(OopsKind.InternalError, code is null ? OopsArch.Unknown : OopsArch.Arm64, what, null, 0, null, null, null, code);
        }
        if (Scan.After(t, "BUG: ", out rest))
        {
            if (Scan.After(rest, "unable to handle page fault for address:", out var a))
                return X86(OopsKind.PageFault, "page fault", a);
            if (Scan.After(rest, "kernel NULL pointer dereference, address:", out a))
                return X86(OopsKind.NullPointer, "NULL pointer dereference", a);
            if (Scan.After(rest, "unable to handle kernel ", out a))
            {
                // 4.x x86: "BUG: unable to handle kernel NULL pointer dereference at 0000000000000008"
                int at = a.LastIndexOf(" at ");
                if (at < 0) return null;
                var what = a[..at].ToString();
                return X86(what.Contains("NULL", StringComparison.Ordinal) ? OopsKind.NullPointer : OopsKind.PageFault, what, a[(at + 4)..]);
            }
            return null;
        }
        if (Scan.After(t, "kernel BUG at ", out rest))
        {
            int bang = rest.IndexOf('!');
            var loc = (bang < 0 ? rest : rest[..bang]).Trim().ToString();
            return new Header(OopsKind.Bug, OopsArch.Unknown, "kernel BUG", null, 0, loc, null, null, null);
        }
        if (Scan.After(t, "WARNING: ", out rest)) return Warning(rest);
        if (Scan.After(t, "SError Interrupt on CPU", out rest))
        {
            // "SError Interrupt on CPU1, code 0x00000000be000000 -- SError" (≥4.x; older had no code)
            int n = Scan.ReadDecimal(rest, out long cpu);
            ulong? code = null;
            int c = rest.IndexOf("code ");
            if (c >= 0 && Scan.ReadHex(rest[(c + 5)..], out ulong cv) > 0) code = cv;
            return new Header(OopsKind.SError, OopsArch.Arm64, "SError interrupt", null, 0, null, n > 0 ? (int)cpu : null, null, code);
        }
        return null;
    }

    /// <summary>"…user-space textUnable to handle kernel NULL poin" + next line "ter dereference at virtual address 0…":
    /// the kernel's line was appended to someone else's and wrapped. Rebuilds it when the pieces are unambiguous.</summary>
    public static Header? TryInterleavedHeader(ReadOnlySpan<char> t, string? next)
    {
        int at = t.IndexOf("nable to handle kernel ");
        if (at <= 0) return null;
        var tail = t[(at + "nable to handle kernel ".Length)..];
        if (tail.Contains(" at virtual address ", StringComparison.Ordinal))
            return TryHeader(string.Concat("Unable to handle kernel ", tail));
        if (next is null || !next.Contains(" at virtual address ", StringComparison.Ordinal)) return null;
        return TryHeader(string.Concat("Unable to handle kernel ", tail, next.AsSpan().TrimStart()));
    }

    private static Header X86(OopsKind kind, string what, ReadOnlySpan<char> addr)
    {
        var tok = FirstToken(addr.Trim());
        ulong? va = Scan.TryHex(tok, out ulong v) ? v : null;
        return new Header(kind, OopsArch.X86_64, what, va, tok.Length, null, null, null, null);
    }

    private static Header? Warning(ReadOnlySpan<char> rest)
    {
        // "CPU: 0 PID: 1 at drivers/base/dd.c:123 func+0x1/0x2 [mod]" (3.x..6.x); "at file:line func()" (older).
        int? cpu = null, pid = null;
        if (Scan.After(rest, "CPU: ", out var r))
        {
            int n = Scan.ReadDecimal(r, out long c);
            if (n == 0) return null;
            cpu = (int)c;
            r = r[n..].TrimStart();
            if (Scan.After(r, "PID: ", out var p))
            {
                int m = Scan.ReadDecimal(p, out long pv);
                if (m > 0) pid = (int)pv;
                r = p[m..].TrimStart();
            }
            rest = r;
        }
        if (!Scan.After(rest, "at ", out var at)) return cpu is null ? null : new Header(OopsKind.Warning, OopsArch.Unknown, "WARNING", null, 0, null, cpu, pid, null);
        var loc = FirstToken(at).ToString();
        return new Header(OopsKind.Warning, OopsArch.Unknown, "WARNING", null, 0, loc, cpu, pid, null);
    }

    public static bool TryDie(ReadOnlySpan<char> t, out DieLine die)
    {
        die = default;
        int hash = t.IndexOf(" [#");
        if (hash <= 0 || hash > 300) return false;
        int close = t[(hash + 3)..].IndexOf(']');
        if (close <= 0 || !Scan.TryInt(t[(hash + 3)..(hash + 3 + close)], out int number)) return false;
        var left = t[..hash];
        var flags = t[(hash + 3 + close + 1)..].Trim().ToString();
        bool internalError = Scan.After(left, "Internal error: ", out var msg);
        if (!internalError) msg = left;
        // The message must look like a die() string, not an arbitrary line with "[#".
        if (!internalError && !(msg.StartsWith("Oops") || msg.StartsWith("invalid opcode") || msg.StartsWith("general protection")
            || msg.StartsWith("Kernel BUG") || msg.StartsWith("double fault") || msg.StartsWith("stack segment")
            || msg.StartsWith("kernel BUG") || msg.StartsWith("int3") || msg.StartsWith("Unknown")))
            return false;
        ulong? code = null;
        int digits = 0;
        int colon = msg.LastIndexOf(": ");
        if (colon >= 0 && Scan.TryHex(msg[(colon + 2)..].Trim(), out ulong c))
        {
            code = c;
            digits = msg[(colon + 2)..].Trim().Length;
            msg = msg[..colon];
        }
        die = new DieLine(msg.Trim().ToString(), code, digits, number, flags, internalError);
        return true;
    }

    public static ReadOnlySpan<char> FirstToken(ReadOnlySpan<char> s)
    {
        s = s.TrimStart();
        int sp = s.IndexOfAny(' ', '\t', ',');
        return sp < 0 ? s : s[..sp];
    }
}
